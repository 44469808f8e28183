/**
 * Case descriptions and expectations come from the catalogue with Autobahn's inline markup:
 * <b>…</b> and <br>. Only those exact tags are honoured; everything else stays text, so a stray
 * "<" (as in "length <= 125") is shown, never parsed.
 */
import { SafeHtml, escapeHtml } from './html';

const ALLOWED_TAG = /&lt;(\/?b|br\s*\/?)&gt;/g;
const TAG = /<(\/?b|br\s*\/?)>/g;

export function catalogueHtml(text: string): SafeHtml {
  return new SafeHtml(escapeHtml(text).replace(ALLOWED_TAG, (_match, tag: string) => (tag.startsWith('br') ? '<br>' : `<${tag}>`)));
}

/**
 * The text a browser shows: runs of white space (the catalogue's line breaks and indents, kept
 * verbatim from Autobahn's sources) collapse to one space, <br> breaks the line, <b> disappears.
 */
export function catalogueText(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(TAG, (_match, tag: string) => (tag.startsWith('br') ? '\n' : ''))
    .replace(/ *\n */g, '\n')
    .trim();
}
