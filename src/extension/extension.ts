import * as vscode from 'vscode';

/** Activation stays light: commands and views register here and do their work on demand. */
export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('WebSocket Workbench');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('websocketWorkbench.showLog', () => output.show(true)),
  );
}

export function deactivate(): void {}
