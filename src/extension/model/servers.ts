/**
 * The servers model: servers started from the extension. Echo servers (with their connected
 * peers) and fuzzing servers (Autobahn's, for a client under test: the same FuzzingServer as
 * `wsw test-client`, with the agents that ran cases on it).
 */
import * as vscode from 'vscode';
import type { CaseDefinition } from '../../cases/definition';
import { startFuzzingServer, type FuzzingListener } from '../../cases/fuzzing-server';
import type { CaseResult } from '../../cases/result';
import { echo } from '../../cli/serve';
import { listen, type WebSocketConnection, type WebSocketServer } from '../../transport';

export interface ServerEntry {
  id: string;
  kind: 'echo' | 'fuzzing';
  url: string;
  port: number;
  secure: boolean;
  /** Echo servers: the connected peers. */
  peers: Set<WebSocketConnection>;
  fingerprint: string | null;
  /** Echo servers: the listening server. */
  server: WebSocketServer | null;
  /** Fuzzing servers: the listening fuzzing server and its selected cases. */
  fuzzing: FuzzingListener | null;
  caseCount: number;
  /** Fuzzing servers: agents (clients under test) that started a case, in first-seen order. */
  agents: Set<string>;
  close(): Promise<void>;
}

/** What a fuzzing server reports while clients under test run its cases. */
export interface FuzzingHooks {
  caseStarted?(server: ServerEntry, agent: string, caseId: string): void;
  caseDone?(server: ServerEntry, result: CaseResult): void;
  /** A client asked for /updateReports?agent=A: `results` are every agent's so far. */
  updateReports?(server: ServerEntry, agent: string, results: CaseResult[]): void | Promise<void>;
  stopped?(server: ServerEntry): void;
}

export class ServerStore implements vscode.Disposable {
  private readonly entries = new Map<string, ServerEntry>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private counter = 0;
  private readonly stoppedHooks = new Map<string, () => void>();

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
      kind: 'echo',
      url: `${options.secure ? 'wss' : 'ws'}://127.0.0.1:${port}/`,
      port,
      secure: options.secure,
      server,
      fuzzing: null,
      caseCount: 0,
      agents: new Set(),
      peers: new Set(),
      fingerprint: server.fingerprint,
      close: () => server.close(),
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

  /**
   * Starts Autobahn's fuzzing server (what `wsw test-client` runs) on 127.0.0.1 for clients under
   * test: /getCaseCount, /runCase?case=N&agent=A, /getCaseStatus, /updateReports.
   */
  async startFuzzing(options: { port: number; secure: boolean; cases: readonly CaseDefinition[]; timeoutScale?: number }, hooks: FuzzingHooks = {}): Promise<ServerEntry> {
    // the entry exists once listening; clients can only connect after that
    const made: { entry?: ServerEntry } = {};
    const fuzzing = await startFuzzingServer(
      { host: '127.0.0.1', port: options.port, tls: options.secure ? 'self-signed' : undefined },
      {
        cases: options.cases,
        timeoutScale: options.timeoutScale,
        onCaseStarted: (agent, _index, definition) => {
          const entry = made.entry;
          if (!entry) return;
          if (!entry.agents.has(agent)) {
            entry.agents.add(agent);
            this.changed.fire();
          }
          hooks.caseStarted?.(entry, agent, definition.id);
        },
        onCaseDone: (result) => {
          if (made.entry) hooks.caseDone?.(made.entry, result);
        },
        updateReports: (agent, results) => (made.entry ? hooks.updateReports?.(made.entry, agent, results) : undefined),
        onShutdownRequested: () => {
          if (made.entry) void this.stop(made.entry.id);
        },
      },
    );
    const entry: ServerEntry = {
      id: `s${++this.counter}`,
      kind: 'fuzzing',
      url: fuzzing.url,
      port: fuzzing.server.port,
      secure: options.secure,
      server: null,
      fuzzing,
      caseCount: options.cases.length,
      agents: new Set(),
      peers: new Set(),
      fingerprint: fuzzing.server.fingerprint,
      close: () => fuzzing.close(),
    };
    made.entry = entry;
    if (hooks.stopped) this.stoppedHooks.set(entry.id, () => hooks.stopped!(entry));
    this.entries.set(entry.id, entry);
    this.changed.fire();
    return entry;
  }

  async stop(id: string): Promise<void> {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.changed.fire();
    await entry.close();
    this.stoppedHooks.get(id)?.();
    this.stoppedHooks.delete(id);
  }

  dispose(): void {
    for (const entry of this.entries.values()) void entry.close();
    this.entries.clear();
    this.stoppedHooks.clear();
    this.changed.dispose();
  }
}
