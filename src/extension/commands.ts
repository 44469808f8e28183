/**
 * Every command of the extension. Each takes a tree node (from a context menu or inline action),
 * an argument object (host tests, keybindings, other extensions) or nothing (the palette: then it
 * asks with QuickPick / InputBox). Commands return what they made, so tests can follow up.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { allCases, sectionTitles, selectCases } from '../cases/catalogue';
import { writeReports } from '../cli/test-server';
import { closeCodeNames } from '../engine';
import type { PanelTarget } from '../protocol/messages';
import { encodeRawFrame } from '../wire';
import { SECRET_MASK, type ConnectionEntry, type ConnectionSpec, type ConnectionStore, type HeaderSpec, type SavedMessage } from './model/connections';
import type { RunStore } from './model/runs';
import type { ServerEntry, ServerStore } from './model/servers';
import { base64Problem, closeCodeProblem, evenFragments, parseBase64, parseHeaders, parseHex, parseSizes, validateWebSocketUrl } from './parse';
import { connectSettings, defaultDeflate } from './settings';
import type { WorkbenchPanel } from './views/panel';
import type { ConnectionNode, RunNode, ServerNode } from './views/trees';

export interface CommandContext {
  connections: ConnectionStore;
  servers: ServerStore;
  runs: RunStore;
  panel: WorkbenchPanel;
  output: vscode.OutputChannel;
  /** Where /updateReports of a fuzzing server writes the reports (a folder per server). */
  reportsDir: vscode.Uri;
}

/** What a command may be given instead of a tree node. */
export interface ConnectionArgs {
  connectionId?: string;
}

type TreeNode = ConnectionNode | ServerNode | RunNode;
type Arg = TreeNode | (ConnectionArgs & Record<string, unknown>) | undefined;

/** The tree node a command was run on (context menu, inline action), if any. */
function nodeOf(arg: Arg): TreeNode | undefined {
  return arg && typeof (arg as { kind?: unknown }).kind === 'string' ? (arg as TreeNode) : undefined;
}

const enc = new TextEncoder();

/** Cancelled prompts end a command quietly. */
class Cancelled extends Error {}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Cancelled();
  return value;
}

/**
 * A pick list of a palette flow. It stays open when the focus moves away (a webview that takes
 * it as it loads, a click in the editor), like the flows' input boxes: VS Code's default would
 * close it, which cancels the command, or reads as "none picked" in a multi-select.
 */
function pick<T extends vscode.QuickPickItem | string>(items: readonly T[], options: vscode.QuickPickOptions & { canPickMany: true }): Thenable<T[] | undefined>;
function pick<T extends vscode.QuickPickItem | string>(items: readonly T[], options: vscode.QuickPickOptions): Thenable<T | undefined>;
function pick(items: readonly (vscode.QuickPickItem | string)[], options: vscode.QuickPickOptions): Thenable<unknown> {
  // showQuickPick's own overloads split string and item lists; the two above keep callers typed
  return vscode.window.showQuickPick(items as readonly vscode.QuickPickItem[], { ignoreFocusOut: true, ...options });
}

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  const { connections, servers, runs, panel, output, reportsDir } = ctx;
  const log = (line: string) => output.appendLine(`[${new Date().toISOString()}] ${line}`);

  async function pickConnection(arg: Arg, mustBeOpen: boolean): Promise<ConnectionEntry> {
    const node = nodeOf(arg);
    if (node?.kind === 'connection') return connections.require(node.id);
    if (node?.kind === 'frame') return connections.require(node.connectionId);
    const id = field<string>(arg, 'connectionId');
    if (typeof id === 'string') return connections.require(id);
    const candidates = connections.list().filter((e) => !mustBeOpen || e.state === 'open');
    if (candidates.length === 0) throw new Error(mustBeOpen ? 'No open connection: run "WebSocket: New Connection" first.' : 'No connection yet: run "WebSocket: New Connection".');
    if (candidates.length === 1) return candidates[0];
    const active = connections.active;
    const picked = await pick(
      candidates.map((e) => ({ label: e.label, description: e.state, entry: e, picked: e === active })),
      { title: 'Which connection?' },
    );
    return required(picked).entry;
  }

  const field = <T>(arg: Arg, name: string): T | undefined => (arg && !nodeOf(arg) ? ((arg as Record<string, unknown>)[name] as T | undefined) : undefined);

  async function pickSavedMessage(entry: ConnectionEntry, title: string): Promise<string> {
    const messages = entry.spec.messages ?? [];
    if (!messages.length) throw new Error(`${entry.label} has no saved messages: run "WebSocket: Save Message" first`);
    const preview = (m: SavedMessage) => (m.binary ? `binary, ${m.data.length / 2} bytes: ${m.data.slice(0, 32)}` : `text: ${m.data.slice(0, 60)}`);
    return required(await pick(messages.map((m) => ({ label: m.name, description: preview(m), name: m.name })), { title })).name;
  }

  async function ask(options: vscode.InputBoxOptions): Promise<string> {
    return required(await vscode.window.showInputBox({ ignoreFocusOut: true, ...options }));
  }

  async function payloadFrom(arg: Arg, purpose: string): Promise<{ data: string | Uint8Array; binary: boolean }> {
    const text = field<string>(arg, 'text');
    const hex = field<string>(arg, 'hex');
    if (text !== undefined) return { data: text, binary: false };
    if (hex !== undefined) return { data: parseHex(hex), binary: true };
    const kind = required(await pick(['Text', 'Binary (hex)'], { title: `${purpose}: text or binary?` }));
    if (kind === 'Text') return { data: await ask({ title: `${purpose}: text` }), binary: false };
    return { data: parseHex(await ask({ title: `${purpose}: hex`, placeHolder: 'de ad be ef', validateInput: hexProblem })), binary: true };
  }

  const hexProblem = (v: string) => {
    try {
      parseHex(v);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  };

  const portProblem = (v: string) => (/^\d+$/.test(v) && Number(v) < 65536 ? null : 'A port number 0-65535');

  /** Port and scheme of a server to start on 127.0.0.1 (palette flow). */
  async function promptListen(what: string, defaultPort: string): Promise<{ port: number; secure: boolean }> {
    const port = Number(await ask({ title: `${what}: port (0 = any free port)`, value: defaultPort, validateInput: portProblem }));
    const scheme = required(
      await pick(
        [
          { label: 'ws://', description: 'plain TCP', secure: false },
          { label: 'wss://', description: 'TLS with a self-signed certificate for localhost (clients must skip verification or trust it)', secure: true },
        ],
        { title: `${what}: scheme` },
      ),
    );
    return { port, secure: scheme.secure };
  }

  /** Sections to run (or case ids and patterns typed in); `allPicked`: every section picked to begin with. */
  async function pickCasePatterns(title: string, allPicked: boolean): Promise<string[]> {
    const sections = [...new Set(allCases.map((c) => c.id.split('.')[0]))];
    const picks = required(
      await pick(
        [
          ...sections.map((s) => ({ label: `${s}.*`, description: sectionTitles.get(s), detail: `${allCases.filter((c) => c.id.startsWith(`${s}.`)).length} cases`, picked: allPicked })),
          { label: 'Cases…', description: 'type case ids or patterns, e.g. 1.1.1, 2.*, 5.20', picked: false },
        ],
        { title, canPickMany: true },
      ),
    );
    const patterns = picks.filter((p) => p.label !== 'Cases…').map((p) => p.label);
    if (picks.some((p) => p.label === 'Cases…')) patterns.push(...(await ask({ title: 'Case ids or patterns', value: '1.1.*' })).split(/[\s,]+/).filter(Boolean));
    if (!patterns.length) throw new Cancelled();
    return patterns;
  }

  /** The server a command was run on (tree item, `serverId`), or the only one / a pick. */
  async function pickServer(arg: Arg, kind: ServerEntry['kind'] | null, purpose: string): Promise<ServerEntry> {
    const node = nodeOf(arg);
    const id = node?.kind === 'server' ? node.id : node?.kind === 'agent' || node?.kind === 'peer' ? node.serverId : field<string>(arg, 'serverId');
    if (id) {
      const entry = servers.get(id);
      if (!entry) throw new Error(`no server ${id}`);
      return entry;
    }
    const list = servers.list().filter((s) => !kind || s.kind === kind);
    if (!list.length) throw new Error(kind === 'fuzzing' ? 'No fuzzing server is running: run "WebSocket: Test a Client" first.' : 'No server is running.');
    if (list.length === 1) return list[0];
    return required(await pick(list.map((s) => ({ label: s.url, description: s.kind === 'echo' ? 'echo server' : 'fuzzing server', entry: s })), { title: purpose })).entry;
  }

  const commands: Record<string, (arg?: Arg) => unknown> = {
    showLog: () => output.show(true),

    newConnection: async (arg) => {
      let spec: ConnectionSpec;
      const url = field<string>(arg, 'url');
      if (url !== undefined) {
        const problem = validateWebSocketUrl(url);
        if (problem) throw new Error(problem);
        spec = {
          url: url.trim(),
          label: field<string>(arg, 'label'),
          subprotocols: field<string[]>(arg, 'subprotocols'),
          headers: field<HeaderSpec[]>(arg, 'headers'),
          deflate: field<boolean>(arg, 'deflate') ?? defaultDeflate(),
          insecure: field<boolean>(arg, 'insecure') ?? false,
        };
      } else {
        spec = await promptConnection();
      }
      const entry = await connections.add(spec);
      log(`new connection ${entry.id} ${entry.spec.url} (headers: ${(entry.spec.headers ?? []).map((h) => `${h.name}: ${h.secret ? SECRET_MASK : h.value}`).join(', ') || 'none'})`);
      if (field<boolean>(arg, 'connect') !== false) await openConnection(entry);
      return entry.id;
    },

    connect: async (arg) => {
      const entry = await pickConnection(arg, false);
      await openConnection(entry);
      return entry.id;
    },

    disconnect: async (arg) => {
      const entry = await pickConnection(arg, true);
      const info = await connections.close(entry.id, 1000, '');
      log(`${entry.label}: closed, code ${info?.code} ${info?.wasClean ? 'clean' : 'not clean'}`);
      return info && { code: info.code, wasClean: info.wasClean };
    },

    removeConnection: async (arg) => {
      const entry = await pickConnection(arg, false);
      await connections.remove(entry.id);
    },

    sendText: async (arg) => {
      const entry = await pickConnection(arg, true);
      const text = field<string>(arg, 'text') ?? (await ask({ title: `Send text to ${entry.label}`, prompt: 'The message (sent as one text frame)' }));
      connections.send(entry.id, text);
    },

    sendJson: async (arg) => {
      const entry = await pickConnection(arg, true);
      let text = field<string>(arg, 'text');
      if (text === undefined) {
        const editor = vscode.window.activeTextEditor;
        if (!editor) throw new Error('Send JSON sends the active editor (or its selection): open a JSON document first.');
        text = editor.selection.isEmpty ? editor.document.getText() : editor.document.getText(editor.selection);
      }
      try {
        JSON.parse(text);
      } catch (e) {
        throw new Error(`Not valid JSON: ${(e as Error).message}`, { cause: e });
      }
      connections.send(entry.id, text);
    },

    sendBinary: async (arg) => {
      const entry = await pickConnection(arg, true);
      let data: Uint8Array;
      const hex = field<string>(arg, 'hex');
      const base64 = field<string>(arg, 'base64');
      const file = field<string>(arg, 'file');
      if (hex !== undefined) data = parseHex(hex);
      else if (base64 !== undefined) data = parseBase64(base64);
      else if (file !== undefined) data = new Uint8Array(await fs.readFile(file));
      else {
        const how = required(await pick(['Hex', 'Base64', 'File…'], { title: `Send binary to ${entry.label}` }));
        if (how === 'Hex') data = parseHex(await ask({ title: 'Hex bytes', placeHolder: 'de ad be ef', validateInput: hexProblem }));
        else if (how === 'Base64') data = parseBase64(await ask({ title: 'Base64', validateInput: base64Problem }));
        else {
          const uris = required(await vscode.window.showOpenDialog({ canSelectMany: false, title: 'File to send as one binary message' }));
          data = await vscode.workspace.fs.readFile(required(uris[0]));
        }
      }
      connections.send(entry.id, data, { binary: true });
      return data.length;
    },

    sendFragmented: async (arg) => {
      const entry = await pickConnection(arg, true);
      const { data, binary } = await payloadFrom(arg, 'Fragmented message');
      const length = typeof data === 'string' ? enc.encode(data).length : data.length;
      let fragments = field<number[]>(arg, 'fragments');
      const count = field<number>(arg, 'count');
      // From the palette or the tree's context menu (whose argument is the tree node), every
      // choice is asked for; a call with fragments or count passes the rest too, or takes defaults.
      const interactive = fragments === undefined && count === undefined;
      if (!fragments && count !== undefined) fragments = evenFragments(length, count);
      if (!fragments) {
        const answer = await ask({ title: `Fragments of the ${length}-byte message`, prompt: 'A number of fragments (e.g. 3) or their sizes (e.g. 4, 4, 8)', value: '3' });
        const sizes = parseSizes(answer);
        fragments = sizes.length === 1 ? evenFragments(length, sizes[0]) : sizes;
      }
      let pingsAfter = field<number[]>(arg, 'pingsAfter');
      if (!pingsAfter && interactive && fragments.length > 1) {
        const picks = await pick(
          fragments.slice(0, -1).map((size, i) => ({ label: `after fragment ${i + 1}`, description: `${size} bytes`, index: i })),
          { title: 'Send a ping between fragments? (pick none for no pings)', canPickMany: true },
        );
        pingsAfter = (picks ?? []).map((p) => p.index);
      }
      let chopSize = field<number | null>(arg, 'chopSize') ?? null;
      let sync = field<boolean>(arg, 'sync') ?? false;
      if (interactive) {
        const how = required(
          await pick(
            [
              { label: 'Coalesced', description: 'the frames go out together, as one write', how: 'coalesced' },
              { label: 'One write per frame (sync)', description: 'each frame its own write, the next after the socket took it', how: 'sync' },
              { label: 'Chopped…', description: 'each frame in chunks of N octets, each its own write (chop size)', how: 'chop' },
            ],
            { title: 'How do the frames go onto the socket?' },
          ),
        ).how;
        sync = how === 'sync';
        if (how === 'chop') chopSize = Number(await ask({ title: 'Chop size: octets per write (1 = octet by octet)', value: '1', validateInput: (v) => (/^\d+$/.test(v) && Number(v) >= 1 ? null : 'A whole number, at least 1') }));
      }
      if (chopSize !== null && !(Number.isInteger(chopSize) && chopSize >= 1)) throw new Error(`chop size must be a whole number of at least 1, not ${chopSize}`);
      const pings = new Map((pingsAfter ?? []).map((i) => [i, enc.encode(`ping after ${i + 1}`)]));
      if (chopSize === null && !sync) {
        connections.send(entry.id, data, { binary, fragments, pingsAfter: pings });
        return { fragments, pingsAfter: pingsAfter ?? [], chopSize, sync };
      }
      const paced = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Writing the message to ${entry.label}${chopSize ? ` in ${chopSize}-octet chunks` : ' frame by frame'}`, cancellable: true },
        async (_progress, token) => {
          const abort = new AbortController();
          const sub = token.onCancellationRequested(() => abort.abort());
          try {
            return await connections.sendPaced(entry.id, data, { binary, fragments, pingsAfter: pings, chopSize, sync }, abort.signal);
          } finally {
            sub.dispose();
          }
        },
      );
      log(`${entry.label}: ${paced.frames} frame(s) in ${paced.writes.length} write(s)${paced.completed ? '' : ', cancelled: connection dropped'}`);
      return { fragments, pingsAfter: pingsAfter ?? [], chopSize, sync, writes: paced.writes, completed: paced.completed };
    },

    sendPing: async (arg) => {
      const entry = await pickConnection(arg, true);
      const payload = field<string>(arg, 'payload') ?? (await ask({ title: 'Ping payload (up to 125 bytes)', value: 'ping', validateInput: (v) => (enc.encode(v).length > 125 ? 'At most 125 bytes' : null) }));
      connections.socket(entry.id).ping(payload);
    },

    // Saved messages: kept with the connection (and across sessions), sent again by name.
    saveMessage: async (arg) => {
      const entry = await pickConnection(arg, false);
      let name = field<string>(arg, 'name');
      const text = field<string>(arg, 'text');
      const hex = field<string>(arg, 'hex');
      let message: SavedMessage;
      if (name !== undefined && (text !== undefined || hex !== undefined)) {
        if (!name.trim()) throw new Error('a saved message needs a name');
        message = text !== undefined ? { name, binary: false, data: text } : { name, binary: true, data: Buffer.from(parseHex(hex!)).toString('hex') };
      } else {
        name = await ask({ title: `Save a message with ${entry.label}: its name`, validateInput: (v) => (v.trim() ? null : 'A name to pick it by') });
        const kind = required(await pick(['Text', 'Binary (hex)'], { title: `${name}: text or binary?` }));
        message =
          kind === 'Text'
            ? { name, binary: false, data: await ask({ title: `${name}: the text` }) }
            : { name, binary: true, data: Buffer.from(parseHex(await ask({ title: `${name}: hex bytes`, placeHolder: 'de ad be ef', validateInput: hexProblem }))).toString('hex') };
      }
      await connections.saveMessage(entry.id, message);
      log(`${entry.label}: saved message ${JSON.stringify(message.name)} (${message.binary ? `${message.data.length / 2} bytes` : `${enc.encode(message.data).length} bytes of text`})`);
      return message.name;
    },

    sendSavedMessage: async (arg) => {
      const entry = await pickConnection(arg, true);
      const name = field<string>(arg, 'name') ?? (await pickSavedMessage(entry, 'Send which saved message?'));
      const message = connections.savedMessage(entry.id, name);
      const data = message.binary ? parseHex(message.data) : message.data;
      connections.send(entry.id, data, { binary: message.binary });
      return message.name;
    },

    deleteSavedMessage: async (arg) => {
      const entry = await pickConnection(arg, false);
      const name = field<string>(arg, 'name') ?? (await pickSavedMessage(entry, 'Delete which saved message?'));
      await connections.deleteMessage(entry.id, name);
    },

    // By hand: with auto-pong off, to answer a ping yourself, or unsolicited (a heartbeat, RFC 6455 §5.5.3).
    sendPong: async (arg) => {
      const entry = await pickConnection(arg, true);
      const payload = field<string>(arg, 'payload') ?? (await ask({ title: 'Pong payload (up to 125 bytes)', value: 'pong', validateInput: (v) => (enc.encode(v).length > 125 ? 'At most 125 bytes' : null) }));
      connections.socket(entry.id).pong(payload);
    },

    sendClose: async (arg) => {
      const entry = await pickConnection(arg, true);
      let code = field<number | null>(arg, 'code');
      let reason = field<string>(arg, 'reason');
      if (code === undefined) {
        const items = [
          ...Object.entries(closeCodeNames)
            .filter(([c]) => ![1005, 1006, 1015].includes(Number(c)))
            .map(([c, name]) => ({ label: c, description: name, code: Number(c) as number | null })),
          { label: 'Custom…', description: 'any code that may be sent: 1000-1003, 1007-1014, 3000-4999', code: -1 as number | null },
          { label: 'No code', description: 'an empty close frame', code: null as number | null },
        ];
        const picked = required(await pick(items, { title: `Close ${entry.label} with code` }));
        code = picked.code === -1 ? Number(await ask({ title: 'Close code', prompt: '1000-1003, 1007-1014 or 3000-4999 (others only with Compose Raw Frame)', validateInput: closeCodeProblem })) : picked.code;
        if (code !== null) reason = await ask({ title: 'Close reason (optional, up to 123 bytes)', value: '', validateInput: (v) => (enc.encode(v).length > 123 ? `${enc.encode(v).length} bytes: at most 123 fit after the code` : null) });
      }
      const info = await connections.close(entry.id, code, reason ?? '');
      return info && { code: info.code, reason: info.reason, wasClean: info.wasClean };
    },

    composeRawFrame: async (arg) => {
      const entry = await pickConnection(arg, true);
      const fromArgs = field<number>(arg, 'opcode') !== undefined;
      let opcode = field<number>(arg, 'opcode');
      let fin = field<boolean>(arg, 'fin');
      let rsv = field<number>(arg, 'rsv');
      let mask = field<string>(arg, 'mask');
      let payload = field<string>(arg, 'payload');
      let payloadHex = field<string>(arg, 'payloadHex');
      let lengthOverride = field<number>(arg, 'lengthOverride');
      if (!fromArgs) {
        const op = required(
          await pick(
            Array.from({ length: 16 }, (_, i) => ({ label: `${i}`, description: ['continuation', 'text', 'binary', '', '', '', '', '', 'close', 'ping', 'pong'][i] || 'reserved', op: i })),
            { title: 'Raw frame: opcode (reserved ones allowed)' },
          ),
        );
        opcode = op.op;
        const flags = await pick(
          [{ label: 'FIN', picked: true, bit: 8 }, { label: 'RSV1', bit: 4 }, { label: 'RSV2', bit: 2 }, { label: 'RSV3', bit: 1 }, { label: 'Mask (clients must)', picked: true, bit: 16 }],
          { title: 'Raw frame: header bits', canPickMany: true },
        );
        const bits = required(flags).reduce((a, f) => a | f.bit, 0);
        fin = !!(bits & 8);
        rsv = bits & 7;
        mask = bits & 16 ? 'random' : 'none';
        payload = await ask({
          title: 'Raw frame: payload text (or hex starting with 0x)',
          value: '',
          validateInput: (v) => {
            if (!v.startsWith('0x')) return null;
            try {
              parseHex(v);
              return null;
            } catch (e) {
              return (e as Error).message;
            }
          },
        });
        if (payload.startsWith('0x')) {
          payloadHex = payload;
          payload = undefined;
        }
        const len = await ask({
          title: 'Raw frame: announce a different payload length? (empty = the true length)',
          value: '',
          validateInput: (v) => (v === '' || (/^\d+$/.test(v) && Number.isSafeInteger(Number(v))) ? null : `A whole number of bytes from 0 to ${Number.MAX_SAFE_INTEGER}`),
        });
        lengthOverride = len ? Number(len) : undefined;
      }
      const bytes = payloadHex !== undefined ? parseHex(payloadHex) : enc.encode(payload ?? '');
      const frame = encodeRawFrame({
        opcode: opcode ?? 1,
        fin: fin ?? true,
        rsv: rsv ?? 0,
        payload: bytes,
        mask: mask === 'none' ? null : !mask || mask === 'random' ? 'random' : parseHex(mask),
        payloadLengthOverride: lengthOverride,
      });
      connections.socket(entry.id).sendRaw(frame.octets);
      log(`${entry.label}: raw frame sent (${frame.octets.length} octets): ${Buffer.from(frame.octets.subarray(0, 32)).toString('hex')}`);
      return Buffer.from(frame.octets).toString('hex');
    },

    startEchoServer: async (arg) => {
      let port = field<number>(arg, 'port');
      let secure = field<boolean>(arg, 'secure');
      if (port === undefined) ({ port, secure } = await promptListen('Echo server', '9001'));
      const s = connectSettings();
      const entry = await servers.start({ port, secure: !!secure, deflate: field<boolean>(arg, 'deflate') ?? true, maxMessageSize: s.maxMessageSize });
      log(`echo server ${entry.id} listening on ${entry.url}${entry.fingerprint ? ` (self-signed, SHA-256 ${entry.fingerprint})` : ''}`);
      if (arg === undefined) notifyUrl(entry, `Echo server listening on ${entry.url}${entry.secure ? ' (self-signed certificate: connect skipping verification)' : ''}`);
      return { id: entry.id, url: entry.url, port: entry.port, secure: entry.secure, fingerprint: entry.fingerprint };
    },

    testClient: async (arg) => {
      let port = field<number>(arg, 'port');
      let secure = field<boolean>(arg, 'secure') ?? false;
      let patterns = field<string[]>(arg, 'cases');
      if (port === undefined) ({ port, secure } = await promptListen('Test a client: fuzzing server', '9001'));
      if (patterns === undefined) patterns = arg === undefined ? await pickCasePatterns('Which cases may clients under test run? (all sections are picked)', true) : ['*'];
      const cases = selectCases(patterns, field<string[]>(arg, 'exclude') ?? []);
      if (!cases.length) throw new Error(`no case matches ${patterns.join(', ')}`);
      const entry = await servers.startFuzzing(
        { port, secure, cases, timeoutScale: field<number>(arg, 'timeoutScale') },
        {
          caseStarted: (server, agent, caseId) => runs.clientCaseStarted(server.id, server.url, agent, caseId),
          caseDone: (server, result) => {
            runs.clientCaseDone(server.id, server.url, result);
            log(`${server.url} ${result.agent}: case ${result.caseId} ${result.behavior} / close ${result.behaviorClose} (${result.durationMs} ms)`);
          },
          updateReports: (server, agent, results) => {
            const dir = vscode.Uri.joinPath(reportsDir, server.id).fsPath;
            const index = writeReports(dir, results);
            log(`${server.url}: reports updated for ${agent} (${results.length} results): ${index}`);
          },
          stopped: (server) => runs.endClientRuns(server.id),
        },
      );
      log(`fuzzing server ${entry.id} listening on ${entry.url} (${cases.length} cases)${entry.fingerprint ? ` (self-signed, SHA-256 ${entry.fingerprint})` : ''}`);
      if (arg === undefined) {
        notifyUrl(entry, `Test a client: point it at ${entry.url} (${cases.length} cases: /getCaseCount, /runCase?case=N&agent=A, /updateReports?agent=A)`);
        await vscode.commands.executeCommand('websocketWorkbench.servers.focus');
      }
      return { id: entry.id, url: entry.url, port: entry.port, secure: entry.secure, caseCount: cases.length, reports: vscode.Uri.joinPath(reportsDir, entry.id).fsPath };
    },

    copyServerUrl: async (arg) => {
      const entry = await pickServer(arg, null, 'Copy the URL of which server?');
      await vscode.env.clipboard.writeText(entry.url);
      log(`copied ${entry.url}`);
      return entry.url;
    },

    showResultsMatrix: async (arg) => {
      const node = nodeOf(arg);
      let target: PanelTarget | undefined;
      if (node?.kind === 'run') target = { kind: 'matrix', runIds: [node.id] };
      else if (node?.kind === 'agent') target = { kind: 'matrix', runIds: [node.runId] };
      else if (node?.kind === 'server') target = { kind: 'matrix', serverId: node.id };
      else {
        const runIds = field<string[]>(arg, 'runIds') ?? (field<string>(arg, 'runId') ? [field<string>(arg, 'runId')!] : undefined);
        const serverId = field<string>(arg, 'serverId');
        if (runIds) target = { kind: 'matrix', runIds };
        else if (serverId) target = { kind: 'matrix', serverId };
      }
      if (!target) {
        const all = runs.list();
        const serverRuns = all.filter((r) => r.kind === 'server').map((r) => r.id).reverse();
        const items = [
          ...servers.list().filter((s) => s.kind === 'fuzzing').map((s) => ({ label: `All clients on ${s.url}`, description: `${s.agents.size} agent(s)`, target: { kind: 'matrix', serverId: s.id } as PanelTarget })),
          ...(serverRuns.length > 1 ? [{ label: 'All server runs', description: `${serverRuns.length} runs`, target: { kind: 'matrix', runIds: serverRuns } as PanelTarget }] : []),
          ...all.map((r) => ({ label: r.kind === 'server' ? r.url : r.agent, description: `${r.kind === 'server' ? 'server under test' : `client on ${r.url}`} · ${r.results.size} case(s)`, target: { kind: 'matrix', runIds: [r.id] } as PanelTarget })),
        ];
        if (!items.length) throw new Error('No results yet: run "WebSocket: Run Conformance Suite" or "WebSocket: Test a Client" first.');
        target = items.length === 1 ? items[0].target : required(await pick(items, { title: 'Results matrix of which runs?' })).target;
      }
      if (target.kind === 'matrix' && target.serverId && servers.get(target.serverId)?.kind !== 'fuzzing' && !runs.runsFor(target).length) throw new Error('That server is not a fuzzing server: its matrix is in the Conformance view runs.');
      if (target.kind === 'matrix' && target.runIds && !runs.runsFor(target).length) throw new Error(`no run ${target.runIds.join(', ')}`);
      await panel.show(target);
      return target;
    },

    stopServer: async (arg) => {
      const entry = await pickServer(arg, null, 'Stop which server?');
      await servers.stop(entry.id);
      log(`server ${entry.id} (${entry.url}) stopped`);
    },

    runConformanceSuite: async (arg) => {
      let url = field<string>(arg, 'url');
      let cases = field<string[]>(arg, 'cases');
      if (url === undefined) {
        const running = servers.list()[0]?.url;
        url = await ask({ title: 'Server under test', value: running ?? 'ws://127.0.0.1:9001/', validateInput: validateWebSocketUrl });
      }
      if (cases === undefined) cases = await pickCasePatterns('Run which sections?', false);
      if (selectCases(cases).length === 0) throw new Error(`no case matches ${cases.join(', ')}`);
      const target = url;
      const patterns = cases;
      const run = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Conformance suite against ${target}`, cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          const sub = token.onCancellationRequested(() => abort.abort());
          try {
            return await runs.run(target, patterns, {
              signal: abort.signal,
              onProgress: (done, total, result) => progress.report({ message: `${done}/${total}: case ${result.caseId} ${result.behavior}`, increment: 100 / total }),
            });
          } finally {
            sub.dispose();
          }
        },
      );
      await vscode.commands.executeCommand('websocketWorkbench.conformance.focus');
      log(`suite ${run.id} against ${target}: ${run.state}, ${run.results.size} case(s)${run.error ? `: ${run.error}` : ''}`);
      if (run.state === 'failed') throw new Error(`Suite against ${target} failed: ${run.error}`);
      return run.id;
    },

    openCaseReport: async (arg) => {
      let runId: string | undefined;
      let caseId: string | undefined;
      const node = nodeOf(arg);
      if (node?.kind === 'case') ({ runId, caseId } = node);
      else {
        runId = field<string>(arg, 'runId');
        caseId = field<string>(arg, 'caseId');
      }
      if (!runId || !caseId) {
        const items = runs.list().flatMap((r) => [...r.results.values()].map((c) => ({ label: `Case ${c.caseId}`, description: `${c.behavior} · ${r.url}`, runId: r.id, caseId: c.caseId })));
        if (!items.length) throw new Error('No case results yet: run "WebSocket: Run Conformance Suite" first.');
        const picked = required(await pick(items, { title: 'Open which case report?' }));
        ({ runId, caseId } = picked);
      }
      if (!runs.get(runId)?.results.get(caseId)) throw new Error(`No result for case ${caseId}`);
      await panel.show({ kind: 'case', runId, caseId });
    },

    showWireLog: async (arg) => {
      const entry = await pickConnection(arg, false);
      await panel.show({ kind: 'wireLog', connectionId: entry.id });
    },

    exportSession: async (arg) => {
      const entry = await pickConnection(arg, false);
      const { json, text } = connections.exportSession(entry.id);
      let base = field<string>(arg, 'path');
      if (!base) {
        const uri = required(await vscode.window.showSaveDialog({ title: 'Export session (writes .json and .txt)', filters: { JSON: ['json'] }, defaultUri: vscode.Uri.file(path.join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '', `websocket-session-${entry.id}.json`)) }));
        base = uri.fsPath;
      }
      const stem = base.replace(/\.(json|txt)$/, '');
      await fs.writeFile(`${stem}.json`, json);
      await fs.writeFile(`${stem}.txt`, text);
      log(`${entry.label}: session exported to ${stem}.json and ${stem}.txt`);
      return { json: `${stem}.json`, text: `${stem}.txt` };
    },

    clearLog: async (arg) => {
      const entry = await pickConnection(arg, false);
      connections.clearLog(entry.id);
    },
  };

  /** A notification with the server's URL and a "Copy URL" button. */
  function notifyUrl(entry: ServerEntry, message: string): void {
    void vscode.window.showInformationMessage(message, 'Copy URL').then((choice) => {
      if (choice === 'Copy URL') void vscode.commands.executeCommand('websocketWorkbench.copyServerUrl', { serverId: entry.id });
    });
  }

  async function openConnection(entry: ConnectionEntry): Promise<void> {
    try {
      await connections.open(entry.id);
      log(`${entry.label}: open${entry.protocol ? `, subprotocol ${entry.protocol}` : ''}`);
    } catch (error) {
      log(`${entry.label}: could not connect: ${(error as Error).message}`);
      throw error;
    }
  }

  async function promptConnection(): Promise<ConnectionSpec> {
    const suggested = servers.list()[0]?.url ?? 'ws://127.0.0.1:9001/';
    const url = (await ask({ title: 'New WebSocket connection (1/4): URL', value: suggested, validateInput: validateWebSocketUrl })).trim();
    const protocols = await ask({ title: 'Subprotocols (2/4), comma-separated, optional', value: '' });
    const headerText = await ask({
      title: 'Extra headers (3/4), optional',
      prompt: 'Name: value; Other: value',
      validateInput: (v) => {
        try {
          parseHeaders(v);
          return null;
        } catch (e) {
          return (e as Error).message;
        }
      },
    });
    const headers: HeaderSpec[] = parseHeaders(headerText);
    if (headers.length) {
      const secret = await pick(
        headers.map((h) => ({ label: h.name, picked: /authorization|token|cookie|key|secret/i.test(h.name) })),
        { title: 'Which header values are secret? (kept in SecretStorage, masked in logs and exports)', canPickMany: true },
      );
      for (const h of headers) h.secret = !!secret?.some((s) => s.label === h.name);
    }
    const deflate = required(
      await pick(
        [
          { label: 'Offer permessage-deflate', value: true, picked: defaultDeflate() },
          { label: 'No compression', value: false },
        ],
        { title: 'Compression (4/4)' },
      ),
    ).value;
    let insecure = false;
    if (url.startsWith('wss:')) {
      insecure = required(
        await pick(
          [
            { label: 'Verify the server certificate', value: false },
            { label: 'Skip certificate verification for this connection', description: 'insecure: self-signed test servers only', value: true },
          ],
          { title: 'TLS' },
        ),
      ).value;
    }
    return { url, subprotocols: protocols.split(/[\s,]+/).filter(Boolean), headers, deflate, insecure };
  }

  return Object.entries(commands).map(([name, run]) =>
    vscode.commands.registerCommand(`websocketWorkbench.${name}`, async (arg?: Arg) => {
      try {
        return await run(arg);
      } catch (error) {
        if (error instanceof Cancelled) return undefined;
        const message = (error as Error).message;
        log(`${name}: ${message}`);
        // Called with arguments (tests, other extensions): the caller gets the error.
        if (arg !== undefined && !nodeOf(arg)) throw error;
        void vscode.window.showErrorMessage(`WebSocket: ${message}`);
        return undefined;
      }
    }),
  );
}
