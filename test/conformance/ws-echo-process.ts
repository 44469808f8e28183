// The `ws` echo server (test/peers/ws.ts) in a process of its own, so the runner's CPU work and
// the server's do not share one event loop (which would make Autobahn's 1 s timers load-dependent).
// Usage: node --import tsx test/conformance/ws-echo-process.ts '{"deflate":true}'
import { startWsEchoServer, type WsEchoServerOptions } from '../peers';

const options = JSON.parse(process.argv[2] ?? '{}') as WsEchoServerOptions;
startWsEchoServer(options).then(
  (server) => {
    console.log(`listening on ${server.url}`);
    const stop = () => void server.stop().then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    process.once('disconnect', stop);
  },
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
