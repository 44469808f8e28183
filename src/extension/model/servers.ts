/** The servers model: echo servers started from the extension and their connected peers. */
import * as vscode from 'vscode';
import { echo } from '../../cli/serve';
import { listen, type WebSocketConnection, type WebSocketServer } from '../../transport';

export interface ServerEntry {
  id: string;
  url: string;
  port: number;
  secure: boolean;
  server: WebSocketServer;
  peers: Set<WebSocketConnection>;
  fingerprint: string | null;
}

export class ServerStore implements vscode.Disposable {
  private readonly entries = new Map<string, ServerEntry>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private counter = 0;

  list(): ServerEntry[] {
    return [...this.entries.values()];
  }

  get(id: string): ServerEntry | undefined {
    return this.entries.get(id);
  }

  /** Starts an echo server on 127.0.0.1 (port 0 = any free one). */
  async start(options: { port: number; secure: boolean; deflate: boolean; maxMessageSize: number }): Promise<ServerEntry> {
    const server = await listen({
      host: '127.0.0.1',
      port: options.port,
      tls: options.secure ? 'self-signed' : undefined,
      deflate: options.deflate,
      limits: { maxMessageSize: options.maxMessageSize },
    });
    const address = server.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const entry: ServerEntry = {
      id: `s${++this.counter}`,
      url: `${options.secure ? 'wss' : 'ws'}://127.0.0.1:${port}/`,
      port,
      secure: options.secure,
      server,
      peers: new Set(),
      fingerprint: server.fingerprint,
    };
    server.on('connection', (ws) => {
      echo(ws);
      entry.peers.add(ws);
      this.changed.fire();
      void ws.closed.then(() => {
        entry.peers.delete(ws);
        this.changed.fire();
      });
    });
    this.entries.set(entry.id, entry);
    this.changed.fire();
    return entry;
  }

  async stop(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.changed.fire();
    await entry.server.close();
  }

  dispose(): void {
    for (const entry of this.entries.values()) void entry.server.close();
    this.entries.clear();
    this.changed.dispose();
  }
}
