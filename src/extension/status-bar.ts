/** The status-bar item: the active connection's state, and the ports of the running echo and fuzzing servers. */
import * as vscode from 'vscode';
import type { ConnectionStore } from './model/connections';
import type { ServerStore } from './model/servers';

export class WorkbenchStatusBar implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('websocketWorkbench.status', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly connections: ConnectionStore,
    private readonly servers: ServerStore,
  ) {
    this.item.name = 'WebSocket Workbench';
    this.subscriptions = [connections.onDidChange(() => this.update()), servers.onDidChange(() => this.update())];
    this.update();
  }

  update(): void {
    const active = this.connections.active;
    const servers = this.servers.list();
    const parts: string[] = [];
    if (active) parts.push(`$(plug) ${active.state}: ${active.label}`);
    const echo = servers.filter((s) => s.kind === 'echo');
    const fuzzing = servers.filter((s) => s.kind === 'fuzzing');
    if (echo.length) parts.push(`$(server-process) echo :${echo.map((s) => s.port).join(', :')}`);
    if (fuzzing.length) parts.push(`$(beaker) fuzzing :${fuzzing.map((s) => s.port).join(', :')}`);
    if (!parts.length) {
      this.item.hide();
      return;
    }
    this.item.text = parts.join('  ');
    this.item.tooltip = 'WebSocket Workbench: show the wire log';
    this.item.command = active ? { command: 'websocketWorkbench.showWireLog', title: 'Show Wire Log', arguments: [{ kind: 'connection', id: active.id }] } : undefined;
    this.item.show();
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}
