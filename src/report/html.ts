/**
 * HTML built with a tagged template that escapes every interpolated value, so peer data (payload
 * previews, close reasons, headers, agent names) cannot inject markup. Only fragments made by
 * this same tag pass through unescaped.
 */

export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type HtmlValue = SafeHtml | string | number | ReadonlyArray<SafeHtml>;

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0];
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1];
  });
  return new SafeHtml(out);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.text;
  if (typeof value === 'string' || typeof value === 'number') return escapeHtml(String(value));
  return value.map((fragment) => fragment.text).join('');
}

/** Escapes text for element content and for quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]);
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * The reports carry no script at all; this policy makes sure none runs even if escaping were ever
 * bypassed, and keeps the page from loading anything (styles are inline).
 */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'";
