/** Contributed settings (package.json "contributes.configuration"), read when they are needed. */
import * as vscode from 'vscode';
import type { ConnectSettings } from './model/connections';

export function connectSettings(): ConnectSettings {
  const c = vscode.workspace.getConfiguration('websocketWorkbench');
  return {
    handshakeTimeoutMs: c.get<number>('handshakeTimeoutMs', 10000),
    closeTimeoutMs: c.get<number>('closeTimeoutMs', 5000),
    maxMessageSize: c.get<number>('maxMessageSize', 64 * 1024 * 1024),
    autoPong: c.get<boolean>('autoPong', true),
    verifyTls: c.get<boolean>('tls.verify', true),
    rowLimit: c.get<number>('logRowLimit', 100000),
  };
}

export function defaultDeflate(): boolean {
  return vscode.workspace.getConfiguration('websocketWorkbench').get<boolean>('defaultDeflate', false);
}
