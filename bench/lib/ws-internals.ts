/**
 * ws's Receiver, Sender and PerMessageDeflate, which its typings do not declare: loaded from its
 * lib/ files with minimal types for what the in-process benchmark drives. Resolved at run time, so
 * NODE_PATH decides whether ws finds its optional native addons (bufferutil, utf-8-validate).
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

export function loadWsInternals(): {
  Receiver: WsReceiverConstructor;
  Sender: WsSenderConstructor;
  PerMessageDeflate: WsPerMessageDeflateConstructor;
  version: string;
  /** Whether ws found bufferutil (it prefers Node's own websocketMask when there is one). */
  bufferutil: boolean;
} {
  const bufferutil = (() => {
    try {
      requireFromHere.resolve('bufferutil');
      return true;
    } catch {
      return false;
    }
  })();
  // ws's "exports" hides lib/: require the files by path, next to its main module.
  const root = dirname(requireFromHere.resolve('ws'));
  return {
    Receiver: requireFromHere(join(root, 'lib', 'receiver.js')) as WsReceiverConstructor,
    Sender: requireFromHere(join(root, 'lib', 'sender.js')) as WsSenderConstructor,
    PerMessageDeflate: requireFromHere(join(root, 'lib', 'permessage-deflate.js')) as WsPerMessageDeflateConstructor,
    version: (requireFromHere(join(root, 'package.json')) as { version: string }).version,
    bufferutil,
  };
}
