/**
 * The wire-log / case-outcome / results-matrix webview panel. The webview never opens sockets: it
 * renders typed messages from src/protocol. Nothing is posted before the webview's 'ready'
 * request; the reply carries the whole current state, so a re-opened panel shows what the closed
 * one showed. After a window reload VS Code hands the panel back through the serializer
 * (`restore`) with the state the webview kept (what it showed), and the host posts it again.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import {
  MessageEndpoint,
  type HostToWebview,
  type MessageOf,
  parsePanelTarget,
  parseSavedContent,
  type PanelContent,
  type PanelTarget,
  type WebviewToHost,
  type WireRow,
} from '../../protocol/messages';
import { endedSummary, payloadText, toWireRow, type ConnectionStore, type FrameRecord } from '../model/connections';
import { caseView, matrixView, type RunStore } from '../model/runs';
import type { ServerStore } from '../model/servers';

export type { PanelTarget } from '../../protocol/messages';

export type ProbeResult = MessageOf<WebviewToHost, 'probe/reply'>;

const APPEND_INTERVAL_MS = 50;
/** A matrix or case on show is re-sent at most this often while runs make progress. */
const RUNS_REFRESH_MS = 250;

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
  private runsTimer: NodeJS.Timeout | null = null;
  /** What the panel shows; kept when the panel is closed so re-opening restores it. */
  target: PanelTarget | null = null;
  /** The matrix a case was opened from ("Back to the matrix"). */
  private matrixTarget: PanelTarget | null = null;
  /** A case or matrix as the webview kept it before a reload, for a target whose run is gone. */
  private restoredContent: ReturnType<typeof parseSavedContent> = null;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly connections: ConnectionStore,
    private readonly runs: RunStore,
    private readonly servers: ServerStore,
  ) {
    this.disposables.push(
      runs.onDidChange(() => {
        if (this.ready && this.target?.kind === 'matrix') this.runsTimer ??= setTimeout(() => this.refreshRuns(), RUNS_REFRESH_MS);
      }),
      connections.onDidAppend(({ entry, records }) => {
        if (this.isShowing(entry.id)) this.queueRows(entry.id, records);
      }),
      connections.onDidChange((entry) => {
        if (entry && this.isShowing(entry.id)) this.post({ type: 'wireLog/state', sessionId: entry.id, state: entry.state, ended: endedSummary(entry) });
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
    if (target) {
      this.restoredContent = null;
      // a case opened from the matrix on show keeps the way back; anything else forgets it
      if (target.kind !== 'case') this.matrixTarget = null;
      else if (this.target?.kind === 'matrix') this.matrixTarget = this.target;
      this.target = target;
    }
    if (this.panel) this.panel.title = this.title();
    if (this.panel) {
      this.panel.reveal(undefined, false);
      if (target && this.ready) {
        this.pendingRows = [];
        this.post({ type: 'content/show', content: this.content(), target: this.target });
      }
    } else {
      this.create();
    }
    await this.whenReady();
  }

  /**
   * The WebviewPanelSerializer's half: VS Code hands back a panel of ours after a window reload,
   * with the state its webview kept. The panel is adopted (a new script, a new nonce) and shows
   * that target again once its webview is ready; a case or matrix whose run is gone shows as the
   * webview saved it.
   */
  async restore(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    if (this.panel && this.panel !== webviewPanel) this.panel.dispose();
    const saved = typeof state === 'object' && state !== null ? (state as { target?: unknown; content?: unknown }) : {};
    this.target = parsePanelTarget(saved.target);
    this.restoredContent = this.target?.kind === 'case' || this.target?.kind === 'matrix' ? parseSavedContent(saved.content) : null;
    this.matrixTarget = null;
    this.adopt(webviewPanel);
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

  /** A matrix on show follows its runs (new agents, new results). */
  private refreshRuns(): void {
    if (this.runsTimer) clearTimeout(this.runsTimer);
    this.runsTimer = null;
    if (this.ready && this.target?.kind === 'matrix') this.post({ type: 'content/show', content: this.content(), target: this.target });
  }

  private title(): string {
    const t = this.target;
    if (t?.kind === 'case') return `Case ${t.caseId}`;
    if (t?.kind === 'matrix') return 'Results Matrix';
    if (t?.kind === 'wireLog') return `Wire Log: ${this.connections.get(t.connectionId)?.label ?? t.connectionId}`;
    return 'WebSocket Wire Log';
  }

  private content(): PanelContent {
    const t = this.target;
    if (t?.kind === 'wireLog') {
      const entry = this.connections.get(t.connectionId);
      if (entry) return { kind: 'wireLog', session: { sessionId: entry.id, title: entry.label, state: entry.state, ended: endedSummary(entry), rowLimit: this.connections.rowLimit(), rows: entry.frames.map(toWireRow) } };
    }
    if (t?.kind === 'case') {
      const result = this.runs.get(t.runId)?.results.get(t.caseId);
      if (result) return { kind: 'case', view: caseView(result), backToMatrix: this.matrixTarget !== null };
    }
    if (t?.kind === 'matrix') {
      const runs = this.runs.runsFor(t);
      const server = t.serverId ? this.servers.get(t.serverId) : undefined;
      if (runs.length || server) {
        const title = t.serverId ? `Clients under test on ${server?.url ?? runs[0]?.url ?? t.serverId}` : runs.length === 1 ? `${runs[0].agent}: ${runs[0].url}` : `${runs.length} runs`;
        return { kind: 'matrix', view: matrixView(title, runs) };
      }
    }
    const kept = this.restoredContent;
    if (kept && kept.kind === t?.kind && (kept.kind !== 'case' || (t.kind === 'case' && kept.view.caseId === t.caseId))) return { ...kept, restored: true };
    return { kind: 'empty' };
  }

  private webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media'), vscode.Uri.joinPath(this.extensionUri, 'dist')],
    };
  }

  private create(): void {
    this.adopt(vscode.window.createWebviewPanel(WorkbenchPanel.viewType, 'WebSocket Wire Log', vscode.ViewColumn.Active, this.webviewOptions()));
  }

  /** Wires a panel (made here, or restored by VS Code) to the models and gives it our page. */
  private adopt(panel: vscode.WebviewPanel): void {
    const media = vscode.Uri.joinPath(this.extensionUri, 'media');
    panel.webview.options = this.webviewOptions();
    panel.iconPath = vscode.Uri.joinPath(media, 'icon.svg');
    this.panel = panel;
    panel.title = this.title();
    this.ready = false;
    const endpoint = new MessageEndpoint<HostToWebview, WebviewToHost>((e) => void panel.webview.postMessage(e), timers);
    this.endpoint = endpoint;
    endpoint.on('ready', (_body, envelope) => {
      this.pendingRows = [];
      endpoint.send({ type: 'ready/reply', content: this.content(), target: this.target }, envelope.id);
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
    endpoint.on('matrix/openCase', (body) => {
      if (this.runs.get(body.runId)?.results.has(body.caseId)) void this.show({ kind: 'case', runId: body.runId, caseId: body.caseId });
    });
    endpoint.on('matrix/back', () => {
      if (this.matrixTarget) void this.show(this.matrixTarget);
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
    if (this.runsTimer) clearTimeout(this.runsTimer);
    this.runsTimer = null;
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
    if (this.runsTimer) clearTimeout(this.runsTimer);
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    for (const resolve of this.readyWaiters.splice(0)) resolve();
  }
}
