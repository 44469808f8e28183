// Real peers for interop tests: python3-websockets, headless Chromium, `ws`. See README.md.
export * from './steps';
export { testCert, type TestCert } from './certs';
export { startPythonEchoServer, runPythonClient, PYTHON } from './python';
export { startWsEchoServer, runWsClient, type WsEchoServerOptions, type WsClientRunOptions } from './ws';
export { startWswServe, runWorkbenchClient, type WswServe } from './workbench';
export { startChromium, withChromium, runBrowserWebSocket, CHROMIUM, CHROMIUM_FLAGS, type ChromiumOptions, type ChromiumSession } from './chromium';
