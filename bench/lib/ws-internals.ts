/**
 * ws's Receiver, Sender and PerMessageDeflate, which its typings do not declare: loaded from its
 * lib/ files with minimal types for what the in-process benchmark drives. Resolved at run time:
 * NODE_PATH decides whether ws can find its optional native addons (bufferutil, utf-8-validate).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { EventEmitter } from 'node:events';

export interface WsReceiver extends EventEmitter {
  write(chunk: Buffer): boolean;
}
export interface WsReceiverConstructor {
  new (options: { isServer: boolean; maxPayload: number; binaryType?: string; skipUTF8Validation?: boolean; extensions?: object }): WsReceiver;
}

export interface WsSocketLike {
  cork(): void;
  uncork(): void;
  write(chunk: Buffer, cb?: () => void): boolean;
}
export interface WsSender {
  send(data: Buffer, options: { binary: boolean; fin: boolean; mask: boolean; compress: boolean }, cb?: () => void): void;
}
export interface WsSenderConstructor {
  new (socket: WsSocketLike, extensions?: object): WsSender;
}

export interface WsPerMessageDeflate {
  accept(configurations: object[]): object;
  compress(data: Buffer, fin: boolean, callback: (error: Error | null, result?: Buffer) => void): void;
  decompress(data: Buffer, fin: boolean, callback: (error: Error | null, result?: Buffer) => void): void;
  cleanup(): void;
}
export interface WsPerMessageDeflateConstructor {
  new (options: { isServer: boolean; maxPayload: number; threshold?: number }): WsPerMessageDeflate;
}

const requireFromHere = createRequire(__filename);

/**
 * Loads a fresh copy of ws's internals. `addons: false` keeps that copy off bufferutil and
 * utf-8-validate (ws's own WS_NO_BUFFER_UTIL / WS_NO_UTF_8_VALIDATE, read when its files load)
 * even where NODE_PATH lets it find them, so one process can drive ws with and without them.
 */
export function loadWsInternals(addons: boolean): {
  Receiver: WsReceiverConstructor;
  Sender: WsSenderConstructor;
  PerMessageDeflate: WsPerMessageDeflateConstructor;
  version: string;
  /** Whether this copy uses bufferutil (ws prefers Node's own websocketMask when there is one). */
  bufferutil: boolean;
} {
  const bufferutil = addons && (() => {
    try {
      requireFromHere.resolve('bufferutil');
      return true;
    } catch {
      return false;
    }
  })();
  // ws's "exports" hides lib/: require the files by path, next to its main module.
  const root = dirname(requireFromHere.resolve('ws'));
  const lib = join(root, 'lib');
  for (const file of Object.keys(requireFromHere.cache)) if (file.startsWith(lib)) delete requireFromHere.cache[file];
  const saved = { bufferUtil: process.env.WS_NO_BUFFER_UTIL, utf8: process.env.WS_NO_UTF_8_VALIDATE };
  if (!addons) process.env.WS_NO_BUFFER_UTIL = process.env.WS_NO_UTF_8_VALIDATE = '1';
  try {
    return {
      Receiver: requireFromHere(join(lib, 'receiver.js')) as WsReceiverConstructor,
      Sender: requireFromHere(join(lib, 'sender.js')) as WsSenderConstructor,
      PerMessageDeflate: requireFromHere(join(lib, 'permessage-deflate.js')) as WsPerMessageDeflateConstructor,
      version: (requireFromHere(join(root, 'package.json')) as { version: string }).version,
      bufferutil,
    };
  } finally {
    restoreEnv('WS_NO_BUFFER_UTIL', saved.bufferUtil);
    restoreEnv('WS_NO_UTF_8_VALIDATE', saved.utf8);
  }
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
