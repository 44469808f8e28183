/**
 * A recording CaseContext for tests: every action a case takes becomes one readable line, timers
 * fire only when the test says so, and "open" is a flag the test flips.
 */
import { createHash } from 'node:crypto';
import type { CaseContext, CaseHandlers, CloseSpec, FrameHeaderSpec, FrameSpec, MessageOptions } from '../../../src/cases/context';
import type { CaseDefinition } from '../../../src/cases/definition';
import { INITIAL_BEHAVIOR } from '../../../src/cases/judge';
import type { Behavior, ObservedEvent } from '../../../src/cases/result';

const hex = (octets: Uint8Array) => Buffer.from(octets).toString('hex');

/** Small payloads in full; big ones as length and the start of their SHA-256. */
function payloadText(octets: Uint8Array): string {
  if (octets.length <= 64) return hex(octets);
  return `${octets.length}B:${createHash('sha256').update(octets).digest('hex').slice(0, 12)}`;
}

function frameText(frame: FrameSpec): string {
  const parts = [`frame op=${frame.opcode} fin=${frame.fin ?? true ? 1 : 0} rsv=${frame.rsv ?? 0} payload=${payloadText(frame.payload ?? new Uint8Array())}`];
  if (frame.payloadRepeatLength !== undefined) parts.push(`repeat=${frame.payloadRepeatLength}`);
  if (frame.chopSize !== undefined) parts.push(`chop=${frame.chopSize}`);
  if (frame.sync) parts.push('sync');
  if (frame.mask) parts.push(`mask=${hex(frame.mask)}`);
  return parts.join(' ');
}

interface PendingStep {
  step: () => void;
  tag: string | undefined;
}

export class FakeContext implements CaseContext {
  /** One line per action, in order. */
  readonly actions: string[] = [];
  readonly observed: ObservedEvent[] = [];
  preset: { behavior: Behavior; result: string } = INITIAL_BEHAVIOR;
  open = true;
  deflate = false;
  wireLog = true;
  private readonly pending: PendingStep[] = [];

  isOpen(): boolean {
    return this.open;
  }
  sendFrame(frame: FrameSpec): void {
    this.actions.push(frameText(frame));
  }
  sendMessage(payload: Uint8Array, options: MessageOptions): void {
    const fragments = options.fragmentSize === undefined ? '' : ` fragment=${options.fragmentSize}`;
    this.actions.push(`message ${options.binary ? 'binary' : 'text'} payload=${payloadText(payload)}${fragments}`);
  }
  sendClose(close: CloseSpec = {}): void {
    this.actions.push(`close code=${close.code ?? '-'} reason=${close.reason ? hex(close.reason) : '-'}`);
  }
  beginFrame(header: FrameHeaderSpec): void {
    this.actions.push(`begin-frame op=${header.opcode} fin=${header.fin ? 1 : 0} length=${header.payloadLength}`);
  }
  sendFrameData(chunk: Uint8Array): void {
    this.actions.push(`frame-data ${hex(chunk)}`);
  }
  continueLater(seconds: number, step: () => void, tag?: string): void {
    this.actions.push(`delay ${seconds} tag=${tag ?? '-'}`);
    this.pending.push({ step, tag });
  }
  closeAfter(seconds: number): void {
    this.actions.push(`close-after ${seconds}`);
  }
  killAfter(seconds: number): void {
    this.actions.push(`kill-after ${seconds}`);
  }
  recordEvent(event: ObservedEvent): void {
    this.observed.push(event);
  }
  setBehavior(behavior: Behavior, result?: string): void {
    this.preset = { behavior, result: result ?? this.preset.result };
  }
  setWireLog(enabled: boolean, options: { marker: boolean }): void {
    this.wireLog = enabled;
    if (options.marker) this.actions.push(`wire-log ${enabled ? 'on' : 'off'}`);
  }
  deflateActive(): boolean {
    return this.deflate;
  }
  captureTrafficStats(): void {
    this.actions.push('capture-traffic-stats');
  }

  /** Let the oldest pending `continueLater` timer run out (the runner skips it once TCP is gone; tests decide). */
  fireNextDelay(): string | undefined {
    const next = this.pending.shift();
    if (!next) throw new Error('no pending delay');
    next.step();
    return next.tag;
  }
}

/** Start a case on a fresh fake context. */
export function startCase(definition: CaseDefinition, setup: Partial<Pick<FakeContext, 'deflate' | 'open'>> = {}): { ctx: FakeContext; handlers: CaseHandlers } {
  const ctx = new FakeContext();
  Object.assign(ctx, setup);
  return { ctx, handlers: definition.start(ctx) };
}
