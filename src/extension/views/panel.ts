/**
 * The wire-log / case-outcome webview panel. The webview never opens sockets: it renders typed
 * messages from src/protocol. Nothing is posted before the webview's 'ready' request; the reply
 * carries the whole current state, so a re-opened panel shows what the closed one showed.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import {
  MessageEndpoint,
  type HostToWebview,
  type MessageOf,
  type PanelContent,
  type WebviewToHost,
  type WireRow,
} from '../../protocol/messages';
import { payloadText, toWireRow, type ConnectionStore, type FrameRecord } from '../model/connections';
import { caseView, type RunStore } from '../model/runs';

export type PanelTarget = { kind: 'wireLog'; connectionId: string } | { kind: 'case'; runId: string; caseId: string };

export type ProbeResult = MessageOf<WebviewToHost, 'probe/reply'>;

const APPEND_INTERVAL_MS = 50;

const timers = {
  set: (ms: number, fn: () => void): unknown => setTimeout(fn, ms),
  clear: (handle: unknown): void => clearTimeout(handle as NodeJS.Timeout),
};

export class WorkbenchPanel implements vscode.Disposable {
  static readonly viewType = 'websocketWorkbench.panel';
  private panel: vscode.WebviewPanel | null = null;
  private endpoint: MessageEndpoint<HostToWebview, WebviewToHost> | null = null;
  private panelDisposables: vscode.Disposable[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private readyWaiters: (() => void)[] = [];
  private pendingRows: WireRow[] = [];
  private pendingSession: string | null = null;
  private appendTimer: NodeJS.Timeout | null = null;
  /** What the panel shows; kept when the panel is closed so re-opening restores it. */
  target: PanelTarget | null = null;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly connections: ConnectionStore,
    private readonly runs: RunStore,
  ) {
    this.disposables.push(
      connections.onDidAppend(({ entry, records }) => {
        if (this.isShowing(entry.id)) this.queueRows(entry.id, records);
      }),
      connections.onDidChange((entry) => {
        if (entry && this.isShowing(entry.id)) this.post({ type: 'wireLog/state', sessionId: entry.id, state: entry.state });
      }),
      connections.onDidClear((entry) => {
        if (this.isShowing(entry.id)) this.post({ type: 'wireLog/clear', sessionId: entry.id });
      }),
    );
  }

  get visible(): boolean {
    return !!this.panel?.visible;
  }

  /** Shows `target` (or the last one) in the panel, creating it if needed; resolves once the webview is ready. */
  async show(target?: PanelTarget): Promise<void> {
    if (target) this.target = target;
    if (this.panel) this.panel.title = this.title();
    if (this.panel) {
      this.panel.reveal(undefined, false);
      if (target && this.ready) {
        this.pendingRows = [];
        this.post({ type: 'content/show', content: this.content() });
      }
    } else {
      this.create();
    }
    await this.whenReady();
  }

  /** Asks the webview what its DOM shows (for tests and diagnostics). */
  async probe(timeoutMs?: number): Promise<ProbeResult> {
    if (!this.endpoint) throw new Error('the panel is not open');
    return this.endpoint.request<ProbeResult>({ type: 'probe/request' }, timeoutMs);
  }

  close(): void {
    this.panel?.dispose();
  }

  /**
   * Rows go out at most every APPEND_INTERVAL_MS in one message: a busy connection makes
   * thousands of frames a second, and one postMessage per socket read would flood the webview.
   */
  private queueRows(sessionId: string, records: FrameRecord[]): void {
    if (this.pendingSession !== sessionId) {
      this.flushRows();
      this.pendingSession = sessionId;
    }
    for (const r of records) this.pendingRows.push(toWireRow(r));
    this.appendTimer ??= setTimeout(() => this.flushRows(), APPEND_INTERVAL_MS);
  }

  private flushRows(): void {
    if (this.appendTimer) clearTimeout(this.appendTimer);
    this.appendTimer = null;
    if (this.pendingSession && this.pendingRows.length && this.isShowing(this.pendingSession)) {
      this.post({ type: 'wireLog/append', sessionId: this.pendingSession, rows: this.pendingRows });
    }
    this.pendingRows = [];
  }

  private isShowing(connectionId: string): boolean {
    return this.ready && this.target?.kind === 'wireLog' && this.target.connectionId === connectionId;
  }

  private post(body: HostToWebview): void {
    this.endpoint?.send(body);
  }

  private whenReady(): Promise<void> {
    return this.ready ? Promise.resolve() : new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  private title(): string {
    const t = this.target;
    if (t?.kind === 'case') return `Case ${t.caseId}`;
    if (t?.kind === 'wireLog') return `Wire Log: ${this.connections.get(t.connectionId)?.label ?? t.connectionId}`;
    return 'WebSocket Wire Log';
  }

  private content(): PanelContent {
    const t = this.target;
    if (t?.kind === 'wireLog') {
      const entry = this.connections.get(t.connectionId);
      if (entry) return { kind: 'wireLog', session: { sessionId: entry.id, title: entry.label, state: entry.state, rows: entry.frames.map(toWireRow) } };
    }
    if (t?.kind === 'case') {
      const result = this.runs.get(t.runId)?.results.get(t.caseId);
      if (result) return { kind: 'case', view: caseView(result) };
    }
    return { kind: 'empty' };
  }

  private create(): void {
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    const dist = vscode.Uri.joinPath(this.extensionUri, 'dist');
    const panel = vscode.window.createWebviewPanel(WorkbenchPanel.viewType, 'WebSocket Wire Log', vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [media, dist],
    });
    panel.iconPath = vscode.Uri.joinPath(media, 'icon.svg');
    this.panel = panel;
    panel.title = this.title();
    this.ready = false;
    const endpoint = new MessageEndpoint<HostToWebview, WebviewToHost>((e) => void panel.webview.postMessage(e), timers);
    this.endpoint = endpoint;
    endpoint.on('ready', (_body, envelope) => {
      this.pendingRows = [];
      endpoint.send({ type: 'ready/reply', content: this.content() }, envelope.id);
      this.ready = true;
      for (const resolve of this.readyWaiters.splice(0)) resolve();
    });
    endpoint.on('rowDetails/request', (body, envelope) => {
      const rec = this.connections.get(body.sessionId)?.frame(body.seq);
      endpoint.send(
        {
          type: 'rowDetails/reply',
          details: rec ? { seq: rec.seq, hex: Buffer.from(rec.payload).toString('hex'), text: payloadText(rec.payload), missing: false } : { seq: body.seq, hex: '', text: null, missing: true },
        },
        envelope.id,
      );
    });
    endpoint.on('error', (body) => console.error(`webview: ${body.message}`));
    this.panelDisposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => endpoint.receive(m)),
      panel.onDidDispose(() => this.onPanelDisposed()),
    );
    panel.webview.html = this.html(panel.webview);
  }

  private onPanelDisposed(): void {
    this.flushRows();
    this.endpoint?.dispose();
    this.endpoint = null;
    this.panel = null;
    this.ready = false;
    for (const d of this.panelDisposables.splice(0)) d.dispose();
  }

  private html(webview: vscode.Webview): string {
    const nonce = randomBytes(16).toString('base64');
    const script = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js'));
    const style = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'webview.css'));
    const csp = [`default-src 'none'`, `style-src ${webview.cspSource}`, `img-src ${webview.cspSource}`, `font-src ${webview.cspSource}`, `script-src 'nonce-${nonce}'`].join('; ');
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${style.toString()}">
<title>WebSocket Wire Log</title>
</head>
<body>
<div id="app" role="application" aria-label="WebSocket Workbench"></div>
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
  }

  dispose(): void {
    if (this.appendTimer) clearTimeout(this.appendTimer);
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    for (const resolve of this.readyWaiters.splice(0)) resolve();
  }
}
