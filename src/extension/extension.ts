import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { ConnectionStore } from './model/connections';
import { RunStore } from './model/runs';
import { ServerStore } from './model/servers';
import { connectSettings } from './settings';
import { WorkbenchStatusBar } from './status-bar';
import { WorkbenchPanel } from './views/panel';
import { ConformanceTreeProvider, ConnectionsTreeProvider, ServersTreeProvider } from './views/trees';

/** What activate() returns: the models and the panel, for host tests and other extensions. */
export interface WorkbenchApi {
  connections: ConnectionStore;
  servers: ServerStore;
  runs: RunStore;
  panel: WorkbenchPanel;
  /** Registered for the panel's view type: VS Code calls it to restore the panel after a window reload. */
  panelSerializer: vscode.WebviewPanelSerializer;
  views: { connections: vscode.TreeView<unknown>; servers: vscode.TreeView<unknown>; conformance: vscode.TreeView<unknown> };
  trees: { connections: ConnectionsTreeProvider; servers: ServersTreeProvider; conformance: ConformanceTreeProvider };
  statusBar: WorkbenchStatusBar;
  /** How long activate() itself took (ms), for the activation-time report. */
  activateMs: number;
}

/**
 * Activation stays light (onCommand / onView, and onWebviewPanel when VS Code restores our panel
 * after a reload): it makes the models, the views and the commands; sockets open only when a
 * command asks. Every disposable goes into context.subscriptions here.
 */
export function activate(context: vscode.ExtensionContext): WorkbenchApi {
  const t0 = performance.now();
  const output = vscode.window.createOutputChannel('WebSocket Workbench');
  const connections = new ConnectionStore(context.workspaceState, context.secrets, connectSettings);
  if (connections.skippedOnLoad) {
    const message = `${connections.skippedOnLoad} saved connection(s) in this workspace had a shape this version cannot read and were left out.`;
    output.appendLine(message);
    void vscode.window.showWarningMessage(`WebSocket Workbench: ${message}`);
  }
  const servers = new ServerStore();
  const runs = new RunStore();
  const panel = new WorkbenchPanel(context.extensionUri, connections, runs, servers);
  const panelSerializer: vscode.WebviewPanelSerializer = { deserializeWebviewPanel: (webviewPanel, state) => panel.restore(webviewPanel, state) };
  const trees = {
    connections: new ConnectionsTreeProvider(connections),
    servers: new ServersTreeProvider(servers, runs),
    conformance: new ConformanceTreeProvider(runs),
  };
  const views = {
    connections: vscode.window.createTreeView('websocketWorkbench.connections', { treeDataProvider: trees.connections, showCollapseAll: true }),
    servers: vscode.window.createTreeView('websocketWorkbench.servers', { treeDataProvider: trees.servers }),
    conformance: vscode.window.createTreeView('websocketWorkbench.conformance', { treeDataProvider: trees.conformance, showCollapseAll: true }),
  };
  const statusBar = new WorkbenchStatusBar(connections, servers);
  context.subscriptions.push(
    output,
    // Order matters on dispose: views and panel first, then the models they listen to.
    ...Object.values(views),
    ...Object.values(trees),
    statusBar,
    panel,
    connections,
    servers,
    runs,
    vscode.window.registerWebviewPanelSerializer(WorkbenchPanel.viewType, panelSerializer),
    ...registerCommands({ connections, servers, runs, panel, output, reportsDir: vscode.Uri.joinPath(context.globalStorageUri, 'reports', 'clients') }),
  );
  return { connections, servers, runs, panel, panelSerializer, views: views as WorkbenchApi['views'], trees, statusBar, activateMs: performance.now() - t0 };
}

export function deactivate(): void {}
