/**
 * TreeDataProviders for the three views. They hold no data of their own: each maps plain nodes
 * from the stores to TreeItems and refreshes when its store fires.
 */
import * as vscode from 'vscode';
import { sectionTitles } from '../../cases/catalogue';
import { opcodeName } from '../../cli/frame-line';
import { cleanClose } from '../../transport';
import type { ConnectionStore } from '../model/connections';
import { closeSummary, toWireRow } from '../model/connections';
import type { ServerStore } from '../model/servers';
import { sectionOf, type RunStore } from '../model/runs';

export type ConnectionNode = { kind: 'connection'; id: string } | { kind: 'frame'; connectionId: string; seq: number };
export type ServerNode = { kind: 'server'; id: string } | { kind: 'peer'; serverId: string; label: string } | { kind: 'agent'; serverId: string; agent: string; runId: string };
export type RunNode = { kind: 'run'; id: string } | { kind: 'section'; runId: string; section: string } | { kind: 'case'; runId: string; caseId: string };

/** Frames shown under an expanded connection (the webview shows all of them). */
const RECENT_FRAMES = 20;
const FRAME_REFRESH_MS = 250;

const stateIcons: Record<string, vscode.ThemeIcon> = {
  idle: new vscode.ThemeIcon('debug-disconnect'),
  connecting: new vscode.ThemeIcon('loading~spin'),
  open: new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed')),
  closing: new vscode.ThemeIcon('loading~spin'),
  closed: new vscode.ThemeIcon('circle-outline'),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
};

export class ConnectionsTreeProvider implements vscode.TreeDataProvider<ConnectionNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ConnectionNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];
  private refreshTimer: NodeJS.Timeout | null = null;

  constructor(private readonly store: ConnectionStore) {
    this.subscriptions = [
      store.onDidChange(() => this.refresh()),
      // Frames can arrive by the thousand: the recent-frames rows refresh a few times a second at most.
      store.onDidAppend(() => (this.refreshTimer ??= setTimeout(() => this.refresh(), FRAME_REFRESH_MS))),
    ];
  }

  private refresh(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    this.changed.fire(undefined);
  }

  getTreeItem(node: ConnectionNode): vscode.TreeItem {
    if (node.kind === 'connection') {
      const entry = this.store.require(node.id);
      const item = new vscode.TreeItem(entry.label, entry.frames.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
      item.id = `connection/${entry.id}`;
      const ended = entry.closeInfo && (entry.state === 'closed' || entry.state === 'failed') ? entry.closeInfo : null;
      const endedBrief = ended ? ` ${ended.code} ${cleanClose(ended).clean ? 'clean' : 'not clean'}` : '';
      item.description = entry.state + endedBrief + (entry.protocol ? ` · ${entry.protocol}` : '') + (entry.frames.length ? ` · ${entry.frames.length} frames` : '');
      item.iconPath = stateIcons[entry.state];
      item.contextValue = `connection.${entry.state === 'open' ? 'open' : entry.state === 'connecting' || entry.state === 'closing' ? 'busy' : 'closed'}`;
      item.tooltip = [entry.spec.url, ended ? `closed: ${closeSummary(ended)}` : null, entry.lastError].filter(Boolean).join('\n');
      item.command = { command: 'websocketWorkbench.showWireLog', title: 'Show Wire Log', arguments: [node] };
      return item;
    }
    const entry = this.store.require(node.connectionId);
    const rec = entry.frame(node.seq);
    const row = rec ? toWireRow(rec) : undefined;
    const item = new vscode.TreeItem(row ? `${row.direction === 'out' ? '→' : '←'} ${opcodeName(row.opcode)} ${row.length} B` : `#${node.seq}`);
    item.id = `frame/${node.connectionId}/${node.seq}`;
    item.description = row ? `fin=${row.fin ? 1 : 0} rsv=${row.rsv} ${row.preview}` : '';
    item.iconPath = new vscode.ThemeIcon(row?.direction === 'out' ? 'arrow-up' : 'arrow-down');
    item.contextValue = 'frame';
    return item;
  }

  getChildren(node?: ConnectionNode): ConnectionNode[] {
    if (!node) return this.store.list().map((e) => ({ kind: 'connection', id: e.id }));
    if (node.kind !== 'connection') return [];
    const entry = this.store.get(node.id);
    return (entry?.frames.slice(-RECENT_FRAMES) ?? []).map((f) => ({ kind: 'frame', connectionId: node.id, seq: f.seq }));
  }

  getParent(node: ConnectionNode): ConnectionNode | undefined {
    return node.kind === 'frame' ? { kind: 'connection', id: node.connectionId } : undefined;
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

export class ServersTreeProvider implements vscode.TreeDataProvider<ServerNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ServerNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly store: ServerStore,
    private readonly runs: RunStore,
  ) {
    this.subscriptions = [store.onDidChange(() => this.changed.fire(undefined)), runs.onDidChange(() => this.changed.fire(undefined))];
  }

  getTreeItem(node: ServerNode): vscode.TreeItem {
    if (node.kind === 'server') {
      const entry = this.store.get(node.id);
      const children = entry?.kind === 'fuzzing' ? entry.agents.size : (entry?.peers.size ?? 0);
      const item = new vscode.TreeItem(entry?.url ?? node.id, children ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
      item.id = `server/${node.id}`;
      const certificate = entry?.fingerprint ? `\nself-signed certificate, SHA-256 ${entry.fingerprint}` : '';
      if (entry?.kind === 'fuzzing') {
        item.description = `fuzzing server · ${entry.caseCount} cases · ${entry.agents.size} client(s) under test`;
        item.iconPath = new vscode.ThemeIcon('beaker', new vscode.ThemeColor('testing.iconPassed'));
        item.contextValue = 'server.fuzzing';
        item.tooltip = `Test a client: point its harness at ${entry.url} (/getCaseCount, /runCase?case=N&agent=A, /updateReports?agent=A)${certificate}`;
      } else {
        item.description = `echo · ${entry?.peers.size ?? 0} peer(s)`;
        item.iconPath = new vscode.ThemeIcon('server-process', new vscode.ThemeColor('testing.iconPassed'));
        item.contextValue = 'server';
        item.tooltip = `${entry?.url ?? ''}${certificate}`;
      }
      return item;
    }
    if (node.kind === 'agent') {
      const run = this.runs.get(node.runId);
      const results = [...(run?.results.values() ?? [])];
      const failed = results.filter((r) => r.behavior === 'FAILED' || r.behaviorClose === 'FAILED').length;
      const item = new vscode.TreeItem(node.agent);
      item.id = `server/${node.serverId}/agent/${node.agent}`;
      item.description = `${results.length}/${run?.caseIds.length ?? 0} cases${failed ? ` · ${failed} failed` : ''}`;
      item.iconPath = failed ? verdictIcons.FAILED : new vscode.ThemeIcon('person');
      item.contextValue = 'agent';
      item.command = { command: 'websocketWorkbench.showResultsMatrix', title: 'Show Results Matrix', arguments: [node] };
      return item;
    }
    const item = new vscode.TreeItem(node.label);
    item.iconPath = new vscode.ThemeIcon('plug');
    item.contextValue = 'peer';
    return item;
  }

  getChildren(node?: ServerNode): ServerNode[] {
    if (!node) return this.store.list().map((s) => ({ kind: 'server', id: s.id }));
    if (node.kind !== 'server') return [];
    const entry = this.store.get(node.id);
    if (entry?.kind === 'fuzzing') {
      const clientRuns = this.runs.runsFor({ serverId: entry.id });
      return clientRuns.map((r) => ({ kind: 'agent', serverId: entry.id, agent: r.agent, runId: r.id }));
    }
    return [...(entry?.peers ?? [])].map((ws) => ({ kind: 'peer', serverId: node.id, label: `${ws.info.remoteAddress}:${ws.info.remotePort}` }));
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}

const verdictIcons: Record<string, vscode.ThemeIcon> = {
  OK: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  'NON-STRICT': new vscode.ThemeIcon('warning', new vscode.ThemeColor('testing.iconQueued')),
  INFORMATIONAL: new vscode.ThemeIcon('info'),
  UNIMPLEMENTED: new vscode.ThemeIcon('circle-slash'),
  FAILED: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
};

export class ConformanceTreeProvider implements vscode.TreeDataProvider<RunNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: RunStore) {
    this.subscription = store.onDidChange(() => this.changed.fire(undefined));
  }

  getTreeItem(node: RunNode): vscode.TreeItem {
    const run = this.store.get(node.kind === 'run' ? node.id : node.runId);
    if (node.kind === 'run') {
      const results = [...(run?.results.values() ?? [])];
      const failed = results.filter((r) => r.behavior === 'FAILED' || r.behaviorClose === 'FAILED').length;
      const client = run?.kind === 'client';
      const item = new vscode.TreeItem((client ? run.agent : run?.url) ?? node.id, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `run/${node.id}`;
      item.description = `${client ? 'client · ' : ''}${run?.state} · ${results.length}/${run?.caseIds.length ?? 0} cases${failed ? ` · ${failed} failed` : ''}`;
      // a fuzzing server's run waits for its client between cases: no spinner for that
      item.iconPath = run?.state === 'running' && !client ? new vscode.ThemeIcon('loading~spin') : failed || run?.state === 'failed' ? verdictIcons.FAILED : client && !results.length ? new vscode.ThemeIcon('person') : verdictIcons.OK;
      item.tooltip = run?.error ?? (client ? `client under test ${run.agent} on ${run.url}, since ${run.startedAt.toLocaleTimeString()}` : `${run?.agent}, started ${run?.startedAt.toLocaleTimeString()}`);
      item.contextValue = 'run';
      return item;
    }
    if (node.kind === 'section') {
      const item = new vscode.TreeItem(`${node.section} ${sectionTitles.get(node.section) ?? ''}`.trim(), vscode.TreeItemCollapsibleState.Expanded);
      item.id = `run/${node.runId}/section/${node.section}`;
      item.contextValue = 'section';
      return item;
    }
    const result = run?.results.get(node.caseId);
    const item = new vscode.TreeItem(`Case ${node.caseId}`);
    item.id = `run/${node.runId}/case/${node.caseId}`;
    item.description = result ? `${result.behavior} · close ${result.behaviorClose} · ${result.durationMs} ms` : 'pending';
    item.iconPath = result ? verdictIcons[result.behavior] : new vscode.ThemeIcon('circle-large-outline');
    item.tooltip = result?.result;
    item.contextValue = result ? 'case.done' : 'case.pending';
    if (result) item.command = { command: 'websocketWorkbench.openCaseReport', title: 'Open Case Report', arguments: [node] };
    return item;
  }

  getChildren(node?: RunNode): RunNode[] {
    if (!node) return this.store.list().map((r) => ({ kind: 'run', id: r.id }));
    if (node.kind === 'case') return [];
    const run = this.store.get(node.kind === 'run' ? node.id : node.runId);
    if (!run) return [];
    if (node.kind === 'run') return [...new Set(run.caseIds.map(sectionOf))].map((section) => ({ kind: 'section', runId: run.id, section }));
    return run.caseIds.filter((id) => sectionOf(id) === node.section).map((caseId) => ({ kind: 'case', runId: run.id, caseId }));
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
