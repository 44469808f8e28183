/**
 * The UTF-8 test sequences behind cases 6.5.x-6.23.x: Autobahn's `createUtf8TestSequences()`
 * (autobahntestsuite/case/case6_x_x.py), after Markus Kuhn's UTF-8-test.txt. Each group becomes
 * one subsection, each sequence one case, in this order.
 */
import { concatBytes, hexBytes } from '../bytes';

export interface Utf8Sequence {
  valid: boolean;
  bytes: Uint8Array;
}

export interface Utf8SequenceGroup {
  title: string;
  sequences: Utf8Sequence[];
}

const valid = (hex: string): Utf8Sequence => ({ valid: true, bytes: hexBytes(hex) });
const invalid = (hex: string): Utf8Sequence => ({ valid: false, bytes: hexBytes(hex) });
const group = (title: string, sequences: Utf8Sequence[]): Utf8SequenceGroup => ({ title, sequences });

/** "κόσμε", the classic multi-byte sample. */
const KOSME = hexBytes('cebae1bdb9cf83cebcceb5');

/** Valid and complete: what Autobahn's incremental validator calls `valid and endsOnCodePoint`. */
function isCompleteUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Octets lo..hi-1 (Python's `xrange(lo, hi)`), each followed by `separator` when given. */
function octetRun(lo: number, hi: number, separator?: number): Uint8Array {
  const out: number[] = [];
  for (let octet = lo; octet < hi; octet++) out.push(octet, ...(separator === undefined ? [] : [separator]));
  return Uint8Array.from(out);
}

/** Non-characters U+FFFE/U+FFFF and those at the end of planes 1-16, minus overlong forms. */
function nonCharacters(): Utf8Sequence[] {
  const out = [valid('efbfbe'), valid('efbfbf')];
  for (const lead of [0xf0, 0xf1, 0xf2, 0xf3, 0xf4]) {
    for (const second of [0x8f, 0x9f, 0xaf, 0xbf]) {
      if (lead === 0xf4 && second !== 0x8f) continue; // beyond U+10FFFF
      for (const last of [0xbe, 0xbf]) {
        if (lead === 0xf0 && second === 0x8f) continue; // overlong
        out.push({ valid: true, bytes: Uint8Array.of(lead, second, 0xbf, last) });
      }
    }
  }
  return out;
}

const MISSING_LAST_CONTINUATION = ['c0', 'e080', 'f08080', 'f8808080', 'fc80808080', 'df', 'efbf', 'f7bfbf', 'fbbfbfbf', 'fdbfbfbfbf'];

export function utf8SequenceGroups(): Utf8SequenceGroup[] {
  return [
    group('Some valid UTF-8 sequences', [
      valid('68656c6c6f24776f726c64'),
      valid('68656c6c6fc2a2776f726c64'),
      valid('68656c6c6fe282ac776f726c64'),
      valid('68656c6c6ff0a4ada2776f726c64'),
      { valid: true, bytes: KOSME },
    ]),
    group(
      'All prefixes of a valid UTF-8 string that contains multi-byte code points',
      Array.from({ length: KOSME.length }, (_, i) => {
        const bytes = KOSME.slice(0, i + 1);
        return { valid: isCompleteUtf8(bytes), bytes };
      }),
    ),
    group('First possible sequence of a certain length', [valid('00'), valid('c280'), valid('e0a080'), valid('f0908080')]),
    group('First possible sequence length 5/6 (invalid codepoints)', [invalid('f888808080'), invalid('fc8480808080')]),
    group('Last possible sequence of a certain length', [valid('7f'), valid('dfbf'), valid('efbfbf'), valid('f48fbfbf')]),
    group('Last possible sequence length 4/5/6 (invalid codepoints)', [invalid('f7bfbfbf'), invalid('fbbfbfbfbf'), invalid('fdbfbfbfbfbf')]),
    group('Other boundary conditions', [valid('ed9fbf'), valid('ee8080'), valid('efbfbd'), valid('f48fbfbf'), invalid('f4908080')]),
    group('Unexpected continuation bytes', [
      invalid('80'),
      invalid('bf'),
      invalid('80bf'),
      invalid('80bf80'),
      invalid('80bf80bf'),
      invalid('80bf80bf80'),
      invalid('80bf80bf80bf'),
      { valid: false, bytes: octetRun(0x80, 0xbf) },
    ]),
    group(
      'Lonely start characters',
      [
        [0xc0, 0xdf],
        [0xe0, 0xef],
        [0xf0, 0xf7],
        [0xf8, 0xfb],
        [0xfc, 0xfd],
      ].map(([lo, hi]) => ({ valid: false, bytes: octetRun(lo, hi, 0x20) })),
    ),
    group('Sequences with last continuation byte missing', MISSING_LAST_CONTINUATION.map(invalid)),
    group('Concatenation of incomplete sequences', [{ valid: false, bytes: concatBytes(...MISSING_LAST_CONTINUATION.map(hexBytes)) }]),
    group('Impossible bytes', [invalid('fe'), invalid('ff'), invalid('fefeffff')]),
    group('Examples of an overlong ASCII character', [invalid('c0af'), invalid('e080af'), invalid('f08080af'), invalid('f8808080af'), invalid('fc80808080af')]),
    group('Maximum overlong sequences', [invalid('c1bf'), invalid('e09fbf'), invalid('f08fbfbf'), invalid('f887bfbfbf'), invalid('fc83bfbfbfbf')]),
    group('Overlong representation of the NUL character', [invalid('c080'), invalid('e08080'), invalid('f0808080'), invalid('f880808080'), invalid('fc8080808080')]),
    group('Single UTF-16 surrogates', ['eda080', 'edadbf', 'edae80', 'edafbf', 'edb080', 'edbe80', 'edbfbf'].map(invalid)),
    group(
      'Paired UTF-16 surrogates',
      ['eda080edb080', 'eda080edbfbf', 'edadbfedb080', 'edadbfedbfbf', 'edae80edb080', 'edae80edbfbf', 'edafbfedb080', 'edafbfedbfbf'].map(invalid),
    ),
    group('Non-character code points (valid UTF-8)', nonCharacters()),
    group('Unicode specials (i.e. replacement char)', ['efbfb9', 'efbfba', 'efbfbb', 'efbfbc', 'efbfbd', 'efbfbe', 'efbfbf'].map(valid)),
  ];
}
