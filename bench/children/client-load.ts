/**
 * Client side: one client (ours, or ws's WebSocket) keeps a window of binary messages in flight
 * to the fast echo peer and counts the echoes it receives as messages, for a fixed time.
 */
import WebSocket from 'ws';
import { connect } from '../../src/transport';
import { runChild } from '../lib/child';
import { cpuMeter } from '../lib/procfs';
import { binaryPayload } from '../lib/frames';

export interface ClientArgs {
  impl: 'ours' | 'ws';
  port: number;
  size: number;
  warmupMs: number;
  measureMs: number;
}

export interface ClientResult {
  perSecond: number;
  mbps: number;
  /** CPU share of this client process (1.0 = a core). */
  clientCpu: number;
}

/** The two clients behind one face: send a message, hear about each echo, hang up. */
interface BenchClient {
  send(payload: Buffer): void;
  onMessage(handler: () => void): void;
  terminate(): void;
}

async function ours(url: string): Promise<BenchClient> {
  const ws = await connect(url);
  return {
    send: (payload) => void ws.send(payload),
    onMessage: (handler) => void ws.on('message', handler),
    terminate: () => ws.terminate(),
  };
}

async function theirs(url: string): Promise<BenchClient> {
  const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return {
    send: (payload) => ws.send(payload, { binary: true }),
    onMessage: (handler) => void ws.on('message', handler),
    terminate: () => ws.terminate(),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

runChild<ClientArgs, ClientResult>(async (args) => {
  const url = `ws://127.0.0.1:${args.port}/?size=${args.size}`;
  const client = args.impl === 'ours' ? await ours(url) : await theirs(url);
  const payload = binaryPayload(args.size);
  // The same window as the load generator: about 512 KiB in flight, 2 to 128 messages.
  const window = Math.max(2, Math.min(128, Math.floor((512 * 1024) / args.size)));
  let echoes = 0;
  client.onMessage(() => {
    echoes++;
    client.send(payload);
  });
  for (let i = 0; i < window; i++) client.send(payload);
  try {
    await sleep(args.warmupMs);
    const cpu = cpuMeter(process.pid);
    cpu.start();
    const start = performance.now();
    const before = echoes;
    await sleep(args.measureMs);
    const perSecond = (echoes - before) / ((performance.now() - start) / 1000);
    return { perSecond, mbps: (perSecond * args.size) / 1e6, clientCpu: cpu.stop() };
  } finally {
    client.terminate();
  }
});
