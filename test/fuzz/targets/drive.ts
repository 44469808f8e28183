/**
 * Feeds bytes to a Connection in a given chunking and checks, as it goes, the invariant every
 * fuzzer of the connection shares: peer bytes give events, or one 'failed' event carrying a
 * ProtocolError with an RFC close code; receiveData never throws; 'closed' comes once, last.
 * The result is a comparable transcript of events and bytes written, so that different chunkings
 * of the same bytes can be checked to give the same transcript.
 */
import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { Connection, ProtocolError, type ConnectionEvent, type ConnectionOptions } from '../../../src/engine';

export interface Transcript {
  events: string[];
  /** Hash of every byte the connection wrote, in order. */
  written: string;
}

const digest = (data: Uint8Array) => `${data.length}:${createHash('sha1').update(data).digest('hex').slice(0, 12)}`;

export function drive(options: ConnectionOptions, chunks: Uint8Array[], allowedCloseCodes: readonly number[]): Transcript {
  const connection = new Connection(options);
  const limits = connection.limits;
  const events: string[] = [];
  const written = createHash('sha1');
  let failed = false;
  let closeReceived = false;
  let closed = 0;
  const take = () => {
    for (const part of connection.dataToSend()) written.update(part);
    for (const event of connection.events()) events.push(check(event));
  };
  const check = (event: ConnectionEvent): string => {
    if (closed) throw new Error(`event ${event.type} after 'closed'`);
    switch (event.type) {
      case 'message':
        if (failed || closeReceived) throw new Error(`message after ${failed ? 'failing' : 'a close frame'}`);
        if (event.data.length > limits.maxMessageSize) throw new Error(`message of ${event.data.length} bytes passed the limit of ${limits.maxMessageSize}`);
        if (!event.binary && !isUtf8(event.data)) throw new Error('text message with invalid UTF-8 was delivered');
        return `message ${event.binary ? 'binary' : 'text'} ${digest(event.data)}`;
      case 'ping':
      case 'pong':
        if (event.data.length > 125) throw new Error(`${event.type} with ${event.data.length} bytes`);
        return `${event.type} ${digest(event.data)}`;
      case 'close-received':
        if (closeReceived) throw new Error('two close frames processed');
        closeReceived = true;
        return `close-received ${event.code} ${JSON.stringify(event.reason)}`;
      case 'failed': {
        const error = event.error;
        if (!(error instanceof ProtocolError)) throw new Error(`failed with a ${(error as Error).constructor.name}, not a ProtocolError`);
        if (error.code === 'WSW_ERR_INTERNAL') throw new Error(`internal error while parsing peer bytes: ${error.message}`);
        if (!allowedCloseCodes.includes(error.closeCode)) throw new Error(`failed with close code ${error.closeCode} (${error.code}), expected one of ${allowedCloseCodes.join(', ')}`);
        if (failed) throw new Error('failed twice');
        failed = true;
        return `failed ${error.closeCode} ${error.code}`;
      }
      case 'frame-received':
      case 'frame-sent':
        return `${event.type} op=${event.frame.opcode} fin=${event.frame.fin} rsv=${event.frame.rsv} ${digest(event.frame.payload)}`;
      case 'closed':
        closed++;
        return `closed clean=${event.wasClean} code=${event.code} failure=${event.failure?.code ?? '-'}`;
    }
  };
  for (const chunk of chunks) {
    try {
      connection.receiveData(chunk);
    } catch (error) {
      throw new Error(`receiveData threw ${(error as Error).name}: ${(error as Error).message}`, { cause: error });
    }
    take();
  }
  connection.receiveEof();
  take();
  if (closed !== 1 || !events[events.length - 1].startsWith('closed')) throw new Error(`'closed' came ${closed} times, last event ${events[events.length - 1]}`);
  return { events, written: written.digest('hex') };
}

/** Asserts two transcripts of the same bytes are the same, naming the first difference. */
export function sameTranscript(a: Transcript, b: Transcript, what: string): void {
  const n = Math.max(a.events.length, b.events.length);
  for (let i = 0; i < n; i++) {
    if (a.events[i] !== b.events[i]) throw new Error(`${what}: event ${i} differs: ${a.events[i] ?? '(none)'} vs ${b.events[i] ?? '(none)'}`);
  }
  if (a.written !== b.written) throw new Error(`${what}: bytes written differ`);
}

/** A transcript's events before 'closed', shortened to their kind and first fields (no hashes). */
export function outcome(transcript: Transcript): string[] {
  return transcript.events.filter((e) => !e.startsWith('closed')).map((e) => e.split(' ').slice(0, 3).join(' '));
}
