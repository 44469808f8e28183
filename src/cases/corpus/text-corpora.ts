/**
 * Synthetic stand-ins for Autobahn's text-like test files (data1.json, data1.html, pg2229.txt):
 * same kind of content, same size, generated from fixed seeds. Only Basic Multilingual Plane
 * characters are used, so a string index is a code point index (12.x slices text by code point).
 */
import { createPrng, textOfSize, type Prng } from './generate';

const VERDICTS = ['OK', 'OK', 'OK', 'OK', 'NON-STRICT', 'INFORMATIONAL', 'UNIMPLEMENTED', 'FAILED'];
const CLOSE_VERDICTS = ['OK', 'OK', 'OK', 'OK', 'UNCLEAN', 'WRONG CODE', 'FAILED BY CLIENT'];
const CLOSE_CODES = ['1000', '1000', '1000', '1002', '1007', 'null'];
const AGENTS = ['AutobahnPython/0.6.0', 'Jetty/9.1', 'Netty/4.0', 'Tornado/3.2', 'ws/8.0', 'websockets/12.0'];

/** Case ids "1.1.1".."13.4.9", repeating: 13 sections of 4 subsections of 9 cases. */
const IDS_PER_ROUND = 13 * 4 * 9;
function caseIdAt(index: number): string {
  const k = index % IDS_PER_ROUND;
  return `${Math.floor(k / 36) + 1}.${(Math.floor(k / 9) % 4) + 1}.${(k % 9) + 1}`;
}

/** An Autobahn index.json: agents, each with a block of case results. */
export function reportJson(size: number): string {
  const prng = createPrng(0x5eed0001);
  let agent = -1;
  let inAgent = IDS_PER_ROUND;
  const entry = (id: string) => {
    const file = `${AGENTS[agent % AGENTS.length].toLowerCase().replace(/[^a-z0-9]+/g, '_')}_case_${id.replace(/\./g, '_')}.json`;
    return [
      `      "${id}": {`,
      `         "behavior": "${prng.pick(VERDICTS)}",`,
      `         "behaviorClose": "${prng.pick(CLOSE_VERDICTS)}",`,
      `         "duration": ${1 + prng.below(prng.below(8) === 0 ? 5000 : 40)},`,
      `         "remoteCloseCode": ${prng.pick(CLOSE_CODES)},`,
      `         "reportfile": "${file}"`,
      '      }',
    ].join('\n');
  };
  const nextPiece = () => {
    let prefix = ',\n';
    if (inAgent === IDS_PER_ROUND) {
      agent++;
      inAgent = 0;
      prefix = `${agent === 0 ? '{\n' : '\n   },\n'}   "${AGENTS[agent % AGENTS.length]}": {\n`;
    }
    return prefix + entry(caseIdAt(inAgent++));
  };
  return textOfSize(size, nextPiece, '\n   }\n}');
}

const HTML_HEAD = `<!DOCTYPE html>
<html>
   <head>
      <meta charset="utf-8" />
      <style lang="css">
body {
   background-color: #F4F4F4;
   color: #333;
   font-family: Segoe UI,Tahoma,Arial,Verdana,sans-serif;
}
td.case_ok { background-color: #0a0; }
td.case_non_strict { background-color: #9a0; }
td.case_failed { background-color: #900; }
td.case_info { background-color: #4095BF; }
      </style>
   </head>
   <body>
      <h1>Autobahn WebSocket Testsuite Report</h1>
      <p id="intro">Größe der Nachrichten in Bytes, Dauer in µs — Übersicht aller Fälle.</p>
      <table id="agent_case_results">
`;
const CELL_CLASSES = ['case_ok', 'case_ok', 'case_ok', 'case_non_strict', 'case_info', 'case_failed'];
const NOTES = ['Pass', 'Pass', 'Pass', 'Fail', 'Info', 'Non-Strict', 'Unimplemented', 'Pass – schnell', 'Pass (größer)', 'Übersprungen'];

/** One table row per case: id, verdict cells for each agent, a note. */
function htmlRow(prng: Prng, id: string): string {
  const cells = AGENTS.map(() => {
    const cls = prng.pick(CELL_CLASSES);
    const duration = 1 + prng.below(900);
    return `<td class="${cls}"><a href="reports/case_${id.replace(/\./g, '_')}.html">${prng.pick(NOTES)}</a><br/><span class="duration">${duration} µs</span></td>`;
  });
  return `         <tr><td class="case_id">Case ${id}</td>${cells.join('')}</tr>\n`;
}

/** An Autobahn-style HTML report page with a large results table. */
export function reportHtml(size: number): string {
  const prng = createPrng(0x5eed0002);
  let rows = 0;
  const nextPiece = () => {
    const row = htmlRow(prng, caseIdAt(rows++));
    return rows === 1 ? HTML_HEAD + row : row;
  };
  return textOfSize(size, nextPiece, '      </table>\n   </body>\n</html>\n');
}

const SPEAKERS = ['FAUST', 'MEPHISTOPHELES', 'MARGARETE', 'WAGNER', 'MARTHE', 'CHOR DER ENGEL', 'DER HERR', 'SCHÜLER'];
const WORDS = (
  'ich du er sie es wir ihr und oder aber doch nicht nur schon noch wohl mir dir mich dich sein ist war bin bist hat habe ' +
  'der die das dem den des ein eine einen einem nach mit von zu aus bei über unter durch für gegen ohne um ' +
  'Herz Geist Welt Nacht Tag Himmel Erde Leben Liebe Seele Teufel Gott Zeit Kraft Wissen Buch Tor Licht Traum ' +
  'schön süß groß klein müde früh spät tief hoch dunkel hell wahr falsch heiß kühl still laut fröhlich ' +
  'gehen kommen sehen hören sprechen fühlen wissen glauben lieben streben irren möchte müssen dürfen können ' +
  'Mädchen Gretchen Schüler Zauber Schönheit Jugend Tür Straße Gärtchen Brücke Stübchen Wörter Lüfte Flüsse'
).split(' ');

/** One speech of the play: a speaker and a few verses. */
function speech(prng: Prng): string {
  const lines = Array.from({ length: 2 + prng.below(6) }, () => {
    const words = Array.from({ length: 4 + prng.below(5) }, () => prng.pick(WORDS));
    words[0] = words[0][0].toUpperCase() + words[0].slice(1);
    return words.join(' ') + prng.pick([',', ',', ';', '.', '!', '?', '']);
  });
  return `${prng.pick(SPEAKERS)}:\n${lines.join('\n')}\n\n`;
}

/** German verse drama in the manner of Goethe's Faust I (sent as a binary message in 12.3.x). */
export function faustText(size: number): string {
  const prng = createPrng(0x5eed0003);
  let started = false;
  const nextPiece = () => {
    if (started) return speech(prng);
    started = true;
    return 'Faust: Der Tragödie erster Teil\n\nZueignung\n\n';
  };
  return textOfSize(size, nextPiece);
}
