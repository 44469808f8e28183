/**
 * Typed messages between the extension host and the webview (shared by both sides; no 'vscode',
 * no DOM). Every message travels in an envelope `{ id, inReplyTo?, body }`; `body.type` is a
 * readable string tag ('wireLog/append'). Requests get exactly one reply (`inReplyTo` = their id),
 * and pending requests are rejected on dispose or time-out, never left hanging.
 */

/** One frame of a connection's wire log, as the webview shows it. */
export interface WireRow {
  /** 1-based sequence number within the session. */
  seq: number;
  /** Milliseconds since the session started. */
  timeMs: number;
  direction: 'in' | 'out';
  opcode: number;
  fin: boolean;
  rsv: number;
  masked: boolean;
  /** Payload length in octets. */
  length: number;
  /** The first octets of the payload as text (when it decodes as UTF-8) or hex; always rendered as text. */
  preview: string;
  previewKind: 'text' | 'hex';
}

/** The full payload of one row, fetched when a row is expanded. */
export interface RowDetails {
  seq: number;
  hex: string;
  /** UTF-8 text when the payload decodes, else null. */
  text: string | null;
  /** True when the host no longer has the row (beyond the row limit). */
  missing: boolean;
}

export type SessionState = 'connecting' | 'open' | 'closing' | 'closed' | 'failed' | 'idle';

export interface WireLogSession {
  sessionId: string;
  title: string;
  state: SessionState;
  ended?: string;
  /** Rows the host keeps per connection: the webview keeps no more either. */
  rowLimit: number;
  rows: WireRow[];
}

/** A case outcome prepared for display: every string is plain text (rendered with textContent). */
export interface CaseView {
  caseId: string;
  agent: string;
  title: string;
  behavior: string;
  behaviorClose: string;
  description: string;
  expectation: string;
  result: string;
  resultClose: string;
  /** Why the case went wrong, a line each (failureReasons); empty when it passed on both counts. */
  why: string[];
  expected: string;
  observed: string;
  closingRows: { key: string; value: string; description: string }[];
  httpRequest: string;
  httpResponse: string;
  stats: { title: string; header: string[]; rows: string[][]; total: string[] }[];
  wireLog: { cssClass: string; lines: string[] }[];
  durationMs: number;
}

/** One cell of the results matrix: one agent's verdicts for one case. */
export interface MatrixCell {
  behavior: string;
  behaviorClose: string;
  durationMs: number;
}

/** One column of the results matrix: a run (one agent). */
export interface MatrixAgent {
  runId: string;
  agent: string;
  /** Where it ran ("server under test ws://…" or "client under test on ws://…"). */
  detail: string;
  /** Cases done, cases failed. */
  done: number;
  failed: number;
}

/** The agents × cases matrix: rows are cases grouped by section, columns are agents. Plain text only. */
export interface MatrixView {
  title: string;
  agents: MatrixAgent[];
  sections: { id: string; title: string; rows: { caseId: string; cells: (MatrixCell | null)[] }[] }[];
}

/**
 * What the panel shows, by reference: kept in the webview's state (setState) and given back to
 * the host by the panel serializer after a window reload. A matrix names its runs, or a fuzzing
 * server whose client runs (one per agent) it shows, new agents included.
 */
export type PanelTarget =
  | { kind: 'wireLog'; connectionId: string }
  | { kind: 'case'; runId: string; caseId: string }
  | { kind: 'matrix'; runIds?: string[]; serverId?: string };

export type PanelContent =
  | { kind: 'wireLog'; session: WireLogSession }
  /**
   * `backToMatrix`: the case was opened from the matrix, which a button brings back.
   * `restored`: shown as the webview kept it before a window reload (its run is gone from memory).
   */
  | { kind: 'case'; view: CaseView; backToMatrix?: boolean; restored?: boolean }
  | { kind: 'matrix'; view: MatrixView; restored?: boolean }
  | { kind: 'empty' };

/** What the webview keeps with setState: its filters, what it shows, and a case or matrix as last shown. */
export interface WebviewSavedState {
  filters: { direction: 'all' | 'in' | 'out'; opcode: string; text: string };
  target: PanelTarget | null;
  /** The last case or matrix shown: after a reload its run may be gone from the host's memory. */
  content: Extract<PanelContent, { kind: 'case' | 'matrix' }> | null;
}

/** A case or matrix the webview kept, if `value` has that shape (it comes from storage). */
export function parseSavedContent(value: unknown): WebviewSavedState['content'] {
  if (typeof value !== 'object' || value === null) return null;
  const c = value as { kind?: unknown; view?: Record<string, unknown> };
  if (typeof c.view !== 'object' || c.view === null) return null;
  const v = c.view;
  if (c.kind === 'case' && typeof v.caseId === 'string' && typeof v.title === 'string' && Array.isArray(v.closingRows) && Array.isArray(v.stats) && Array.isArray(v.wireLog)) {
    return { kind: 'case', view: v as unknown as CaseView };
  }
  if (c.kind === 'matrix' && typeof v.title === 'string' && Array.isArray(v.agents) && Array.isArray(v.sections)) return { kind: 'matrix', view: v as unknown as MatrixView };
  return null;
}

/** The saved state a serializer was given, checked (it comes from storage: anything may be there). */
export function parsePanelTarget(value: unknown): PanelTarget | null {
  if (typeof value !== 'object' || value === null) return null;
  const t = value as Record<string, unknown>;
  const str = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length < 200;
  if (t.kind === 'wireLog' && str(t.connectionId)) return { kind: 'wireLog', connectionId: t.connectionId };
  if (t.kind === 'case' && str(t.runId) && str(t.caseId)) return { kind: 'case', runId: t.runId, caseId: t.caseId };
  if (t.kind === 'matrix') {
    if (str(t.serverId)) return { kind: 'matrix', serverId: t.serverId };
    if (Array.isArray(t.runIds) && t.runIds.length > 0 && t.runIds.every(str)) return { kind: 'matrix', runIds: [...t.runIds] };
  }
  return null;
}

// #region host -> webview
export type HostToWebview =
  | { type: 'ready/reply'; content: PanelContent; target: PanelTarget | null }
  | { type: 'content/show'; content: PanelContent; target: PanelTarget | null }
  | { type: 'wireLog/append'; sessionId: string; rows: WireRow[] }
  | { type: 'wireLog/clear'; sessionId: string }
  /** `ended`: how a closed or failed connection ended (codes, clean or not, who closed first). */
  | { type: 'wireLog/state'; sessionId: string; state: SessionState; ended?: string }
  | { type: 'rowDetails/reply'; details: RowDetails }
  /** A test asks the webview what it rendered (read from the DOM). */
  | { type: 'probe/request' };
// #endregion

// #region webview -> host
export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'rowDetails/request'; sessionId: string; seq: number }
  /** A matrix cell was activated (click, Enter or Space): show that case's outcome. */
  | { type: 'matrix/openCase'; runId: string; caseId: string }
  /** "Back to the matrix" in a case opened from it. */
  | { type: 'matrix/back' }
  | {
      type: 'probe/reply';
      /** Rows received, rows passing the filters, row elements in the DOM (virtualised). */
      rows: number;
      visibleRows: number;
      renderedRows: number;
      renderedRowTexts: string[];
      images: number;
      /** Every script element: its src, or 'inline: ' and the start of its text. */
      scripts: string[];
      detailText: string;
      /** The text of the page (first 4,000 characters). */
      bodyText: string;
      /** What the webview keeps with setState (what a serializer gets after a reload). */
      state: WebviewSavedState | null;
    }
  | { type: 'error'; message: string };
// #endregion

export interface Envelope<B> {
  id: number;
  inReplyTo?: number;
  body: B;
}

export type MessageOf<U extends { type: string }, T extends U['type']> = Extract<U, { type: T }>;

/** Request tags and the tag of their reply. */
export type RequestReplies = {
  ready: 'ready/reply';
  'rowDetails/request': 'rowDetails/reply';
  'probe/request': 'probe/reply';
};

export class RequestRejected extends Error {
  constructor(
    readonly code: 'WSW_WEBVIEW_DISPOSED' | 'WSW_WEBVIEW_TIMEOUT',
    message: string,
  ) {
    super(message);
    this.name = 'RequestRejected';
  }
}

/** Timer functions injected by each side (the host's come from its runtime, the webview's from the window). */
export interface Scheduler {
  set(ms: number, fn: () => void): unknown;
  clear(handle: unknown): void;
}

interface Pending {
  resolve: (body: unknown) => void;
  reject: (error: Error) => void;
  timer: unknown;
}

/**
 * One end of the channel. `TOut` is what this side sends, `TIn` what it receives.
 * Both sides use it: the host with `webview.postMessage`, the webview with `vscode.postMessage`.
 */
export class MessageEndpoint<TOut extends { type: string }, TIn extends { type: string }> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, (body: TIn, envelope: Envelope<TIn>) => void>();
  private disposed = false;

  constructor(
    private readonly post: (envelope: Envelope<TOut>) => void,
    private readonly scheduler: Scheduler,
    private readonly timeoutMs = 10000,
  ) {}

  /** Sends an event (no reply expected). Returns its id. */
  send(body: TOut, inReplyTo?: number): number {
    if (this.disposed) return -1;
    const id = this.nextId++;
    this.post(inReplyTo === undefined ? { id, body } : { id, inReplyTo, body });
    return id;
  }

  /** Sends a request; resolves with the reply body, rejects on time-out or dispose. */
  request<R extends TIn>(body: TOut, timeoutMs = this.timeoutMs): Promise<R> {
    if (this.disposed) return Promise.reject(new RequestRejected('WSW_WEBVIEW_DISPOSED', `${body.type}: the channel is disposed`));
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      const timer = this.scheduler.set(timeoutMs, () => {
        this.pending.delete(id);
        reject(new RequestRejected('WSW_WEBVIEW_TIMEOUT', `${body.type}: no reply within ${timeoutMs} ms`));
      });
      this.pending.set(id, { resolve: resolve as (b: unknown) => void, reject, timer });
      this.post({ id, body });
    });
  }

  /** Handles one message type; a later call for the same type replaces the handler. */
  on<T extends TIn['type']>(type: T, handler: (body: MessageOf<TIn, T>, envelope: Envelope<TIn>) => void): void {
    this.handlers.set(type, handler as (body: TIn, envelope: Envelope<TIn>) => void);
  }

  /** Feeds a message that arrived from the other side. Ignores anything that is not an envelope. */
  receive(data: unknown): void {
    if (!isEnvelope(data)) return;
    const envelope = data as Envelope<TIn>;
    if (envelope.inReplyTo !== undefined) {
      const waiting = this.pending.get(envelope.inReplyTo);
      if (waiting) {
        this.pending.delete(envelope.inReplyTo);
        this.scheduler.clear(waiting.timer);
        waiting.resolve(envelope.body);
        return;
      }
    }
    this.handlers.get(envelope.body.type)?.(envelope.body, envelope);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const [id, waiting] of this.pending) {
      this.scheduler.clear(waiting.timer);
      waiting.reject(new RequestRejected('WSW_WEBVIEW_DISPOSED', `request ${id}: the channel was disposed`));
    }
    this.pending.clear();
    this.handlers.clear();
  }
}

function isEnvelope(data: unknown): boolean {
  if (typeof data !== 'object' || data === null) return false;
  const e = data as { id?: unknown; body?: { type?: unknown } };
  return typeof e.id === 'number' && typeof e.body === 'object' && e.body !== null && typeof e.body.type === 'string';
}
