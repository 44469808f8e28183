/** Section and subsection titles (Autobahn's CaseCategories / CaseSubCategories), for report headings. */
import { compressionSubsectionTitles } from './compression';
import { utf8SequenceGroups } from './utf8-sequences';

const SECTIONS: [string, string][] = [
  ['1', 'Framing'],
  ['2', 'Pings/Pongs'],
  ['3', 'Reserved Bits'],
  ['4', 'Opcodes'],
  ['5', 'Fragmentation'],
  ['6', 'UTF-8 Handling'],
  ['7', 'Close Handling'],
  ['9', 'Limits/Performance'],
  ['10', 'Misc'],
  ['12', 'WebSocket Compression (different payloads)'],
  ['13', 'WebSocket Compression (different parameters)'],
];

const SUBSECTIONS: [string, string][] = [
  ['1.1', 'Text Messages'],
  ['1.2', 'Binary Messages'],
  ['4.1', 'Non-control Opcodes'],
  ['4.2', 'Control Opcodes'],
  ['6.1', 'Valid UTF-8 with zero payload fragments'],
  ['6.2', 'Valid UTF-8 unfragmented, fragmented on code-points and within code-points'],
  ['6.3', 'Invalid UTF-8 differently fragmented'],
  ['6.4', 'Fail-fast on invalid UTF-8'],
  ...utf8SequenceGroups().map(({ title }, g): [string, string] => [`6.${g + 5}`, title]),
  ['7.1', 'Basic close behavior (fuzzer initiated)'],
  ['7.3', 'Close frame structure: payload length (fuzzer initiated)'],
  ['7.5', 'Close frame structure: payload value (fuzzer initiated)'],
  ['7.7', 'Close frame structure: valid close codes (fuzzer initiated)'],
  ['7.9', 'Close frame structure: invalid close codes (fuzzer initiated)'],
  ['7.13', 'Informational close information (fuzzer initiated)'],
  ['9.1', 'Text Message (increasing size)'],
  ['9.2', 'Binary Message (increasing size)'],
  ['9.3', 'Fragmented Text Message (fixed size, increasing fragment size)'],
  ['9.4', 'Fragmented Binary Message (fixed size, increasing fragment size)'],
  ['9.5', 'Text Message (fixed size, increasing chop size)'],
  ['9.6', 'Binary Text Message (fixed size, increasing chop size)'],
  ['9.7', 'Text Message Roundtrip Time (fixed number, increasing size)'],
  ['9.8', 'Binary Message Roundtrip Time (fixed number, increasing size)'],
  ['10.1', 'Auto-Fragmentation'],
  ...compressionSubsectionTitles,
];

/** Title of a section ("6") or subsection ("6.4"); sections 2, 3 and 5 have no subsections. */
export const sectionTitles: ReadonlyMap<string, string> = new Map([...SECTIONS, ...SUBSECTIONS]);
