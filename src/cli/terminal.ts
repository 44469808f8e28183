/** What wsw prints to a terminal. */

/**
 * Text a peer chose (a status line, headers, a request path, an agent name, an error that quotes
 * them) with its control characters escaped, so that printing it cannot drive the terminal
 * (colours, titles, clearing the screen). Line breaks and tabs stay.
 */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Makes console.log and console.error print their string arguments terminalSafe. */
export function escapeConsoleOutput(): void {
  for (const method of ['log', 'error'] as const) {
    const print = console[method].bind(console);
    console[method] = (...parts: unknown[]) => print(...parts.map((part) => (typeof part === 'string' ? terminalSafe(part) : part)));
  }
}
