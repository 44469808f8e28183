/**
 * The connections model: saved and open WebSocket client connections and the frames each one
 * saw. No tree items and no webview here: views listen to `onDidChange` / `onDidAppend`.
 */
import * as vscode from 'vscode';
import { Opcode, copyBytes, type FrameInfo, type RejectedFrame, type SendMessageOptions } from '../../engine';
import { cleanClose, connect, sendPaced, type CloseInfo, type PacedSendOptions, type PacedSendResult, type WebSocketConnection } from '../../transport';
import { closePreview, compressionTracker, opcodeName, previewPayload, formatFrameLine, formatRejectedFrameLine } from '../../cli/frame-line';
import type { SessionState, WireRow } from '../../protocol/messages';
import { checkSavedConnections, type SavedConnection } from '../checked';

export interface HeaderSpec {
  name: string;
  value: string;
  /** Kept in SecretStorage, shown and exported as ••••. */
  secret?: boolean;
}

export interface ConnectionSpec {
  url: string;
  label?: string;
  subprotocols?: string[];
  headers?: HeaderSpec[];
  deflate?: boolean;
  /** Skip TLS verification for this connection (only when asked for). */
  insecure?: boolean;
  /** Messages kept with the connection, to send again by name. */
  messages?: SavedMessage[];
}

/** A message saved with a connection: text, or binary kept as hex. */
export interface SavedMessage {
  name: string;
  binary: boolean;
  /** The text, or for a binary message its bytes in hex. */
  data: string;
}

/** A frame of the engine's log (FrameInfo), numbered and timed within its connection. */
export interface FrameRecord extends FrameInfo {
  seq: number;
  timeMs: number;
  direction: 'in' | 'out';
  /** A frame of the peer's that broke the protocol: why, and the length its header announced. Its payload was not kept. */
  rejected?: { reason: string; length: number | null };
}

/** Options the store reads from settings when a connection opens. */
export interface ConnectSettings {
  handshakeTimeoutMs: number;
  closeTimeoutMs: number;
  maxMessageSize: number;
  autoPong: boolean;
  verifyTls: boolean;
  rowLimit: number;
}

export interface SecretBox {
  get(key: string): Thenable<string | undefined>;
  store(key: string, value: string): Thenable<void>;
  delete(key: string): Thenable<void>;
}

export const SECRET_MASK = '••••';

export class ConnectionEntry {
  state: SessionState = 'idle';
  ws: WebSocketConnection | null = null;
  frames: FrameRecord[] = [];
  /** Frames dropped from the front because of the row limit. */
  droppedFrames = 0;
  startedAt = 0;
  lastError: string | null = null;
  closeInfo: CloseInfo | null = null;
  protocol: string | null = null;
  requestHead = '';
  responseHead = '';
  /** A chopped or synced message is being written: nothing else may go out until it is done. */
  pacing = false;
  /** The connect under way, which a second Connect waits for. */
  connecting: Promise<ConnectionEntry> | null = null;
  /** Removed from the store: a connect still under way closes what it opens. */
  removed = false;
  private nextSeq = 1;

  constructor(
    readonly id: string,
    public spec: ConnectionSpec,
  ) {}

  get label(): string {
    return this.spec.label || this.spec.url;
  }

  record(direction: 'in' | 'out', frame: FrameInfo, rowLimit: number): FrameRecord {
    const rec: FrameRecord = {
      seq: this.nextSeq++,
      timeMs: Date.now() - this.startedAt,
      direction,
      opcode: frame.opcode,
      fin: frame.fin,
      rsv: frame.rsv,
      masked: frame.masked,
      // Copies: a row must not keep a socket read or a shared slab alive (see engine/buffers.ts).
      mask: frame.mask ? copyBytes(frame.mask) : null,
      payload: copyBytes(frame.payload),
    };
    return this.keep(rec, rowLimit);
  }

  /** The peer's frame that broke the protocol: it never completes, so no frame event logs it. */
  recordRejected(frame: RejectedFrame, reason: string, rowLimit: number): FrameRecord {
    const { length, ...header } = frame;
    return this.keep({ seq: this.nextSeq++, timeMs: Date.now() - this.startedAt, direction: 'in', ...header, mask: null, payload: new Uint8Array(0), rejected: { reason, length } }, rowLimit);
  }

  private keep(rec: FrameRecord, rowLimit: number): FrameRecord {
    this.frames.push(rec);
    if (this.frames.length > rowLimit * 1.1) {
      const drop = this.frames.length - rowLimit;
      this.frames.splice(0, drop);
      this.droppedFrames += drop;
    }
    return rec;
  }

  clear(): void {
    this.droppedFrames += this.frames.length;
    this.frames = [];
  }

  frame(seq: number): FrameRecord | undefined {
    const first = this.frames[0]?.seq ?? 0;
    const rec = this.frames[seq - first];
    return rec?.seq === seq ? rec : this.frames.find((f) => f.seq === seq);
  }

  /** The request head with secret header values masked. */
  maskedRequestHead(): string {
    return maskSecrets(this.requestHead, this.spec.headers ?? []);
  }
}

export function maskSecrets(text: string, headers: HeaderSpec[]): string {
  let out = text;
  for (const h of headers) if (h.secret && h.value) out = out.split(h.value).join(SECRET_MASK);
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * How a connection ended, for the tree, the panel and exports: the code and reason, whether the
 * closing handshake completed (close frames both ways, then TCP closed by the server) and who
 * closed first.
 */
export function closeSummary(info: CloseInfo): string {
  const clean = cleanClose(info).how;
  const who = info.sent && info.received ? (info.receivedThenSent ? 'the peer closed first' : 'we closed first') : info.sent ? 'no close frame from the peer' : info.received ? 'the peer closed, we did not answer' : 'no close frames';
  return `${info.code}${info.reason ? ` ${JSON.stringify(info.reason)}` : ''} · ${clean} · ${who}${info.failure ? ` · ${info.failure.message}` : ''}`;
}

/** closeSummary of a connection that has ended, else undefined. */
export function endedSummary(entry: ConnectionEntry): string | undefined {
  return entry.closeInfo && (entry.state === 'closed' || entry.state === 'failed') ? closeSummary(entry.closeInfo) : undefined;
}

export function toWireRow(rec: FrameRecord): WireRow {
  const preview = rec.rejected ? `(rejected: ${rec.rejected.reason})` : rec.opcode === Opcode.Close ? closePreview(rec.payload) : previewPayload(rec.payload, 80);
  return {
    seq: rec.seq,
    timeMs: rec.timeMs,
    direction: rec.direction,
    opcode: rec.opcode,
    fin: rec.fin,
    rsv: rec.rsv,
    masked: rec.masked,
    length: rec.rejected ? (rec.rejected.length ?? 0) : rec.payload.length,
    preview,
    previewKind: rec.rejected || !preview.startsWith('0x') ? 'text' : 'hex',
  };
}

export function payloadText(payload: Uint8Array): string | null {
  try {
    return utf8.decode(payload);
  } catch {
    return null;
  }
}


const SAVED_KEY = 'websocketWorkbench.connections';

export class ConnectionStore implements vscode.Disposable {
  private readonly entries = new Map<string, ConnectionEntry>();
  private readonly changed = new vscode.EventEmitter<ConnectionEntry | undefined>();
  private readonly appended = new vscode.EventEmitter<{ entry: ConnectionEntry; records: FrameRecord[] }>();
  private readonly cleared = new vscode.EventEmitter<ConnectionEntry>();
  /** Fires with the entry whose state, list or properties changed (undefined: the whole list). */
  readonly onDidChange = this.changed.event;
  /** Fires with frames recorded since the last event (batched per microtask). */
  readonly onDidAppend = this.appended.event;
  readonly onDidClear = this.cleared.event;
  private counter = 0;
  private pendingAppend = new Map<ConnectionEntry, FrameRecord[]>();
  /** The connection most recently used; the default target of palette commands. */
  activeId: string | null = null;
  /** Saved connections of a shape this version cannot read, left out when the store loaded. */
  readonly skippedOnLoad: number;

  constructor(
    private readonly memento: vscode.Memento,
    private readonly secrets: SecretBox,
    private readonly settings: () => ConnectSettings,
  ) {
    // Workspace state may hold anything (an older version, a hand edit): skip what has another shape.
    const { connections, skipped } = checkSavedConnections(memento.get<unknown>(SAVED_KEY));
    this.skippedOnLoad = skipped;
    for (const saved of connections) {
      this.entries.set(saved.id, new ConnectionEntry(saved.id, saved.spec));
      this.counter = Math.max(this.counter, Number(saved.id.slice(1)));
    }
  }

  list(): ConnectionEntry[] {
    return [...this.entries.values()];
  }

  get(id: string): ConnectionEntry | undefined {
    return this.entries.get(id);
  }

  get active(): ConnectionEntry | undefined {
    return (this.activeId && this.entries.get(this.activeId)) || undefined;
  }

  /** Adds a connection; secret header values go to SecretStorage, the rest to workspace state. */
  async add(spec: ConnectionSpec): Promise<ConnectionEntry> {
    const id = `c${++this.counter}`;
    const entry = new ConnectionEntry(id, spec);
    for (const h of spec.headers ?? []) if (h.secret) await this.secrets.store(secretKey(id, h.name), h.value);
    this.entries.set(id, entry);
    this.activeId = id;
    await this.save();
    this.changed.fire(undefined);
    return entry;
  }

  /** Saves `message` with the connection (replacing one of the same name) and keeps it across sessions. */
  async saveMessage(id: string, message: SavedMessage): Promise<void> {
    const entry = this.require(id);
    const list = (entry.spec.messages ??= []);
    const at = list.findIndex((m) => m.name === message.name);
    if (at >= 0) list[at] = message;
    else list.push(message);
    await this.save();
    this.changed.fire(entry);
  }

  /** The connection's saved message of that name, or a clear error. */
  savedMessage(id: string, name: string): SavedMessage {
    const entry = this.require(id);
    const message = entry.spec.messages?.find((m) => m.name === name);
    if (!message) throw new Error(`${entry.label} has no saved message ${JSON.stringify(name)}${entry.spec.messages?.length ? ` (it has ${entry.spec.messages.map((m) => JSON.stringify(m.name)).join(', ')})` : ''}`);
    return message;
  }

  async deleteMessage(id: string, name: string): Promise<void> {
    const entry = this.require(id);
    this.savedMessage(id, name);
    entry.spec.messages = entry.spec.messages!.filter((m) => m.name !== name);
    await this.save();
    this.changed.fire(entry);
  }

  /** Frames kept per connection (the logRowLimit setting); the wire log keeps no more. */
  rowLimit(): number {
    return this.settings().rowLimit;
  }

  async remove(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.ws?.terminate();
    entry.removed = true; // a connect still under way closes its socket when it resolves
    for (const h of entry.spec.headers ?? []) if (h.secret) await this.secrets.delete(secretKey(id, h.name));
    this.entries.delete(id);
    if (this.activeId === id) this.activeId = null;
    await this.save();
    this.changed.fire(undefined);
  }

  async open(id: string): Promise<ConnectionEntry> {
    const entry = this.require(id);
    if (entry.ws && entry.state !== 'closed' && entry.state !== 'failed') return entry;
    // A second Connect while the first is under way waits for it instead of opening another socket.
    if (entry.connecting) return entry.connecting;
    entry.connecting = this.connectEntry(entry).finally(() => (entry.connecting = null));
    return entry.connecting;
  }

  private async connectEntry(entry: ConnectionEntry): Promise<ConnectionEntry> {
    const id = entry.id;
    const s = this.settings();
    const headers: [string, string][] = [];
    for (const h of entry.spec.headers ?? []) {
      const value = h.secret ? ((await this.secrets.get(secretKey(id, h.name))) ?? h.value) : h.value;
      h.value = value; // kept in memory only for masking; saved state never holds secret values
      headers.push([h.name, value]);
    }
    entry.state = 'connecting';
    entry.lastError = null;
    entry.closeInfo = null;
    entry.startedAt = Date.now();
    this.activeId = id;
    this.changed.fire(entry);
    try {
      const ws = await connect(entry.spec.url, {
        headers,
        subprotocols: entry.spec.subprotocols,
        deflate: entry.spec.deflate,
        insecure: entry.spec.insecure || !s.verifyTls,
        frameEvents: true,
        autoPong: s.autoPong,
        limits: { maxMessageSize: s.maxMessageSize },
        handshakeTimeoutMs: s.handshakeTimeoutMs,
        closeTimeoutMs: s.closeTimeoutMs,
      });
      if (entry.removed) {
        ws.terminate();
        throw new Error(`${entry.label} was removed while it connected`);
      }
      entry.ws = ws;
      entry.state = 'open';
      entry.protocol = ws.protocol;
      entry.requestHead = ws.info.requestHead ?? '';
      entry.responseHead = ws.info.responseHead ?? '';
      ws.on('frame', (direction, frame) => this.queue(entry, entry.record(direction, frame, this.settings().rowLimit)));
      ws.on('close-received', () => {
        if (entry.state === 'open') {
          entry.state = 'closing';
          this.changed.fire(entry);
        }
      });
      ws.on('failed', (error) => {
        entry.lastError = `${error.code}: ${error.message}`;
        if (error.frame) this.queue(entry, entry.recordRejected(error.frame, error.message, this.settings().rowLimit));
      });
      ws.on('close', (info) => {
        entry.closeInfo = info;
        entry.state = info.failure ? 'failed' : 'closed';
        this.changed.fire(entry);
      });
      ws.on('message', () => undefined); // messages are in the frame log
      this.changed.fire(entry);
      return entry;
    } catch (error) {
      entry.state = 'failed';
      entry.lastError = (error as Error).message;
      if (!entry.removed) this.changed.fire(entry);
      throw error;
    }
  }

  /** Starts the closing handshake; resolves when the connection has ended. */
  async close(id: string, code: number | null = 1000, reason = ''): Promise<CloseInfo | null> {
    const entry = this.require(id);
    const ws = entry.ws;
    if (!ws || entry.state === 'closed' || entry.state === 'failed') return entry.closeInfo;
    if (entry.pacing) throw new Error(`${entry.label} is still writing a chopped message: cancel it or wait`);
    // ws.close() refuses a code or reason that may not be sent, at once: the state changes after it.
    const closed = ws.close(code, reason);
    if (entry.state === 'open') {
      entry.state = 'closing';
      this.changed.fire(entry);
    }
    return closed;
  }

  /** The open socket of a connection, or a clear error. */
  socket(id: string): WebSocketConnection {
    const entry = this.require(id);
    if (!entry.ws || entry.state !== 'open') throw new Error(`${entry.label} is not open (${entry.state})`);
    if (entry.pacing) throw new Error(`${entry.label} is still writing a chopped message: cancel it or wait`);
    this.activeId = id;
    return entry.ws;
  }

  send(id: string, data: string | Uint8Array, options: SendMessageOptions = {}): void {
    this.socket(id).send(data, options);
  }

  /**
   * Sends one message with a chop size and/or sync (src/wire planWrites): each frame in chunks of
   * `chopSize` octets, or each frame its own write. Other sends wait until it is done; a cancel
   * (`signal`) between two writes drops the connection, since a frame cut short cannot be finished.
   */
  async sendPaced(id: string, data: string | Uint8Array, options: PacedSendOptions & { binary?: boolean }, signal?: AbortSignal): Promise<PacedSendResult> {
    const ws = this.socket(id);
    const entry = this.require(id);
    entry.pacing = true;
    try {
      const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
      return await sendPaced(ws, bytes, { ...options, binary: options.binary ?? typeof data !== 'string' }, signal);
    } finally {
      entry.pacing = false;
    }
  }

  clearLog(id: string): void {
    const entry = this.require(id);
    entry.clear();
    this.cleared.fire(entry);
    this.changed.fire(entry);
  }

  /** The session as JSON (every frame with timing; secrets masked) and as text lines. */
  exportSession(id: string): { json: string; text: string } {
    const entry = this.require(id);
    const headers = (entry.spec.headers ?? []).map((h) => ({ name: h.name, value: h.secret ? SECRET_MASK : h.value, secret: !!h.secret }));
    const data = {
      url: entry.spec.url,
      subprotocols: entry.spec.subprotocols ?? [],
      headers,
      deflate: !!entry.spec.deflate,
      protocol: entry.protocol,
      state: entry.state,
      startedAt: entry.startedAt ? new Date(entry.startedAt).toISOString() : null,
      requestHead: entry.maskedRequestHead(),
      responseHead: entry.responseHead,
      close: entry.closeInfo && { wasClean: entry.closeInfo.wasClean, code: entry.closeInfo.code, reason: entry.closeInfo.reason, closeTimedOut: entry.closeInfo.closeTimedOut },
      droppedFrames: entry.droppedFrames,
      frames: entry.frames.map((f) => ({
        seq: f.seq,
        timeMs: f.timeMs,
        direction: f.direction,
        opcode: f.opcode,
        opcodeName: opcodeName(f.opcode),
        fin: f.fin,
        rsv: f.rsv,
        mask: f.mask ? Buffer.from(f.mask).toString('hex') : null,
        length: f.payload.length,
        payloadHex: Buffer.from(f.payload).toString('hex'),
        text: payloadText(f.payload),
      })),
    };
    const compressed = compressionTracker();
    const lines = [
      `# ${entry.spec.url}${entry.protocol ? ` (${entry.protocol})` : ''}`,
      ...entry.frames.map((f) => (f.rejected ? `${formatRejectedFrameLine({ ...f, length: f.rejected.length }, f.timeMs)} ${f.rejected.reason}` : formatFrameLine(f.direction, { ...f }, f.timeMs, compressed(f.direction, f)))),
    ];
    if (entry.closeInfo) lines.push(`# closed: ${closeSummary(entry.closeInfo)}`);
    return { json: JSON.stringify(data, null, 2) + '\n', text: lines.join('\n') + '\n' };
  }

  require(id: string): ConnectionEntry {
    const entry = this.entries.get(id);
    if (!entry) throw new Error(`no connection ${id}`);
    return entry;
  }

  private queue(entry: ConnectionEntry, rec: FrameRecord): void {
    const batch = this.pendingAppend.get(entry);
    if (batch) {
      batch.push(rec);
      return;
    }
    this.pendingAppend.set(entry, [rec]);
    if (this.pendingAppend.size === 1) queueMicrotask(() => this.flush());
  }

  private flush(): void {
    const batches = this.pendingAppend;
    this.pendingAppend = new Map();
    for (const [entry, records] of batches) this.appended.fire({ entry, records });
  }

  private async save(): Promise<void> {
    const saved: SavedConnection[] = this.list().map((e) => ({
      id: e.id,
      spec: { ...e.spec, headers: e.spec.headers?.map((h) => (h.secret ? { name: h.name, value: '', secret: true } : h)) },
    }));
    await this.memento.update(SAVED_KEY, saved);
  }

  dispose(): void {
    for (const entry of this.entries.values()) entry.ws?.terminate();
    this.changed.dispose();
    this.appended.dispose();
    this.cleared.dispose();
  }
}

function secretKey(id: string, header: string): string {
  return `websocketWorkbench.header/${id}/${header.toLowerCase()}`;
}
