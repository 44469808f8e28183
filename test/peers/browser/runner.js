// Runs the step language of ../steps.ts with the browser's own WebSocket. Loaded by the page that
// chromium.ts serves from a loopback http server; called as window.wswRunSteps({url, steps, options}).
// Plain JavaScript on purpose: it runs in Chromium as written (no bundler, no TypeScript helpers).
/* global window */
(() => {
  const FILL_PERIOD = 65521;
  const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

  // Same algorithm as fillBytes() in ../steps.ts.
  function fillBytes(length, seed, text) {
    const out = new Uint8Array(length);
    const block = Math.min(length, FILL_PERIOD);
    let x = seed & 0x7fffffff;
    for (let i = 0; i < block; i++) {
      x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
      const b = (x >>> 16) & 0xff;
      out[i] = text ? 0x20 + (b % 95) : b;
    }
    for (let i = block; i < length; i += block) out.copyWithin(i, 0, Math.min(block, length - i));
    return out;
  }

  function payloadBytes(type, data) {
    if ('text' in data) return new TextEncoder().encode(data.text);
    if ('hex' in data) {
      const out = new Uint8Array(data.hex.length / 2);
      for (let i = 0; i < out.length; i++) out[i] = parseInt(data.hex.substr(i * 2, 2), 16);
      return out;
    }
    return fillBytes(data.fill, data.seed ?? 1, type === 'text');
  }

  function toHex(bytes) {
    let s = '';
    for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
    return s;
  }

  async function describe(type, bytes, hexLimit) {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    const message = { type, length: bytes.length, sha256: toHex(digest) };
    if (bytes.length <= hexLimit) message.hex = toHex(bytes);
    return message;
  }

  window.wswRunSteps = async function ({ url, steps, options }) {
    const timeoutMs = options.timeoutMs ?? 10000;
    const hexLimit = options.hexLimit ?? 65536;
    const result = { peer: 'chromium', opened: false, extensions: '', protocol: '', messages: [], pongs: [], close: null, errors: [] };
    const received = []; // promises of descriptions, in arrival order
    let closeEvent = null;
    let errorSeen = false;
    let wake = () => {};
    const changed = () => wake();
    const until = (ready, what, ms = timeoutMs) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => { wake = () => {}; reject(new Error(`timed out after ${ms} ms waiting for ${what}`)); }, ms);
      const check = () => { if (ready()) { clearTimeout(timer); wake = () => {}; resolve(); } };
      wake = check;
      check();
    });

    let ws;
    try {
      ws = new WebSocket(url, options.subprotocols ?? []);
    } catch (err) {
      result.errors.push(`connect: ${err.name}: ${err.message}`);
      return result;
    }
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => { result.opened = true; result.extensions = ws.extensions; result.protocol = ws.protocol; changed(); };
    ws.onmessage = (ev) => {
      received.push(typeof ev.data === 'string'
        ? describe('text', new TextEncoder().encode(ev.data), hexLimit)
        : describe('binary', new Uint8Array(ev.data), hexLimit));
      changed();
    };
    ws.onerror = () => { errorSeen = true; changed(); };
    ws.onclose = (ev) => { closeEvent = ev; changed(); };

    try {
      await until(() => result.opened || closeEvent, 'the opening handshake');
    } catch (err) {
      result.errors.push(`connect: ${err.message}`);
      ws.close();
      return result;
    }
    if (!result.opened) {
      result.errors.push(`connect: failed (close code ${closeEvent.code}${errorSeen ? ', error event' : ''})`);
      return result;
    }

    let awaited = 0;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      try {
        if (step.op === 'send') {
          const bytes = payloadBytes(step.type, step.data);
          ws.send(step.type === 'text' ? new TextDecoder('utf-8', { fatal: true }).decode(bytes) : bytes);
        } else if (step.op === 'expect') {
          const target = (awaited += step.count ?? 1);
          await until(() => received.length >= target || closeEvent, `message #${target}`, step.withinMs);
          if (received.length < target) throw new Error(`connection closed after ${received.length} of ${target} messages`);
        } else if (step.op === 'ping') {
          throw new Error('ping is not available in the browser WebSocket API');
        } else if (step.op === 'close') {
          if (step.code === undefined) ws.close();
          else ws.close(step.code, step.reason ?? '');
          await until(() => closeEvent, 'the close');
        } else if (step.op === 'wait-close') {
          await until(() => closeEvent, 'the peer to close');
        } else if (step.op === 'sleep') {
          await new Promise((resolve) => setTimeout(resolve, step.ms));
        } else {
          throw new Error(`unknown op ${step.op}`);
        }
      } catch (err) {
        result.errors.push(`step ${i} (${step.op}): ${err.message}`);
        break;
      }
    }
    if (!closeEvent) {
      ws.close(1000);
      try {
        await until(() => closeEvent, 'the final close');
      } catch (err) {
        result.errors.push(`final close: ${err.message}`);
      }
    }
    result.messages = await Promise.all(received);
    if (closeEvent) result.close = { code: closeEvent.code, reason: closeEvent.reason, wasClean: closeEvent.wasClean };
    return result;
  };
})();
