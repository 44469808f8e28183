/** Contributed settings (package.json "contributes.configuration"), read when they are needed. */
import * as vscode from 'vscode';
import { NUMBER_SETTINGS, checkBoolean, checkNumber } from './checked';
import type { ConnectSettings } from './model/connections';

/** Problems already shown, so a bad value warns once, not at every connection. */
const warned = new Set<string>();

function warn(key: string, problem: string | undefined): void {
  if (!problem || warned.has(`${key}: ${problem}`)) return;
  warned.add(`${key}: ${problem}`);
  void vscode.window.showWarningMessage(`WebSocket Workbench: setting websocketWorkbench.${key}: ${problem}.`);
}

function numberSetting(c: vscode.WorkspaceConfiguration, key: keyof typeof NUMBER_SETTINGS): number {
  const { value, problem } = checkNumber(c.get<unknown>(key), NUMBER_SETTINGS[key]);
  warn(key, problem);
  return value;
}

function booleanSetting(c: vscode.WorkspaceConfiguration, key: string, fallback: boolean): boolean {
  const { value, problem } = checkBoolean(c.get<unknown>(key), fallback);
  warn(key, problem);
  return value;
}

export function connectSettings(): ConnectSettings {
  const c = vscode.workspace.getConfiguration('websocketWorkbench');
  return {
    handshakeTimeoutMs: numberSetting(c, 'handshakeTimeoutMs'),
    closeTimeoutMs: numberSetting(c, 'closeTimeoutMs'),
    maxMessageSize: numberSetting(c, 'maxMessageSize'),
    autoPong: booleanSetting(c, 'autoPong', true),
    verifyTls: booleanSetting(c, 'tls.verify', true),
    rowLimit: numberSetting(c, 'logRowLimit'),
  };
}

export function defaultDeflate(): boolean {
  return booleanSetting(vscode.workspace.getConfiguration('websocketWorkbench'), 'defaultDeflate', false);
}
