/**
 * Python's `textwrap.wrap(text, width)` with its defaults, which Autobahn applies to every wire
 * log value (width 100): tabs expanded to 8 columns, each whitespace character turned into a
 * space, lines broken greedily between words, words longer than a line broken, whitespace dropped
 * at line ends and at the start of every line but the first. Lengths count code points, as
 * Python does. Not ported: the extra break points after hyphens (`break_on_hyphens`).
 */

export function wrapText(text: string, width: number): string[] {
  const chunks = normaliseWhitespace(expandTabs(text)).split(/(\s+)/).filter((chunk) => chunk !== '');
  const pending = chunks.map((chunk) => Array.from(chunk)).reverse();
  const lines: string[] = [];
  while (pending.length > 0) {
    if (isBlank(pending[pending.length - 1]) && lines.length > 0) pending.pop();
    const line: string[][] = [];
    let lineLength = 0;
    while (pending.length > 0 && lineLength + pending[pending.length - 1].length <= width) {
      const chunk = pending.pop() as string[];
      line.push(chunk);
      lineLength += chunk.length;
    }
    const next = pending[pending.length - 1];
    if (next && next.length > width) {
      const room = width - lineLength;
      line.push(next.slice(0, room));
      pending[pending.length - 1] = next.slice(room);
    }
    if (line.length > 0 && isBlank(line[line.length - 1])) line.pop();
    if (line.length > 0) lines.push(line.map((chunk) => chunk.join('')).join(''));
  }
  return lines;
}

function isBlank(chunk: string[]): boolean {
  return chunk.join('').trim() === '';
}

/** str.expandtabs(8): a tab moves to the next multiple of 8 columns; CR and LF reset the column. */
function expandTabs(text: string): string {
  let column = 0;
  let out = '';
  for (const char of text) {
    if (char === '\t') {
      const spaces = 8 - (column % 8);
      out += ' '.repeat(spaces);
      column += spaces;
    } else {
      out += char;
      column = char === '\n' || char === '\r' ? 0 : column + 1;
    }
  }
  return out;
}

/** TextWrapper.replace_whitespace: each of Python's ASCII whitespace characters becomes a space. */
function normaliseWhitespace(text: string): string {
  return text.replace(/[\t\n\v\f\r]/g, ' ');
}
