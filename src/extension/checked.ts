/**
 * What the extension reads from places a user (or an older version) can fill with anything:
 * settings.json (VS Code only warns about values outside the schema) and workspace state. Pure, so
 * it is tested without VS Code; settings.ts and the connection store use it.
 */
import { MAX_TIMER_MS } from '../cli/args';
import type { ConnectionSpec, HeaderSpec, SavedMessage } from './model/connections';

/** A numeric setting's default and allowed range (the same as in package.json). */
export interface NumberRange {
  fallback: number;
  min: number;
  max: number;
  integer?: boolean;
}

export const NUMBER_SETTINGS = {
  handshakeTimeoutMs: { fallback: 10_000, min: 100, max: MAX_TIMER_MS },
  closeTimeoutMs: { fallback: 5_000, min: 100, max: MAX_TIMER_MS },
  maxMessageSize: { fallback: 64 * 1024 * 1024, min: 1, max: 1024 * 1024 * 1024, integer: true },
  logRowLimit: { fallback: 100_000, min: 100, max: 10_000_000, integer: true },
} satisfies Record<string, NumberRange>;

/** `value` when it is a number in range, else the default and what was wrong with it. */
export function checkNumber(value: unknown, range: NumberRange): { value: number; problem?: string } {
  if (value === undefined) return { value: range.fallback };
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= range.min && value <= range.max && (!range.integer || Number.isInteger(value));
  if (ok) return { value };
  const kind = range.integer ? 'an integer' : 'a number';
  return { value: range.fallback, problem: `${JSON.stringify(value)} is not ${kind} from ${range.min} to ${range.max}; using ${range.fallback}` };
}

/** `value` when it is a boolean, else the default and what was wrong with it. */
export function checkBoolean(value: unknown, fallback: boolean): { value: boolean; problem?: string } {
  if (value === undefined || typeof value === 'boolean') return { value: value ?? fallback };
  return { value: fallback, problem: `${JSON.stringify(value)} is not true or false; using ${fallback}` };
}

export interface SavedConnection {
  id: string;
  spec: ConnectionSpec;
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isSavedMessage = (v: unknown): v is SavedMessage => {
  if (typeof v !== 'object' || v === null) return false;
  const { name, binary, data } = v as SavedMessage;
  return typeof name === 'string' && name.length > 0 && typeof binary === 'boolean' && typeof data === 'string' && (!binary || /^(?:[0-9a-f]{2})*$/i.test(data));
};
const isHeader = (v: unknown): v is HeaderSpec =>
  typeof v === 'object' && v !== null && typeof (v as HeaderSpec).name === 'string' && typeof (v as HeaderSpec).value === 'string' && ['undefined', 'boolean'].includes(typeof (v as HeaderSpec).secret);

/** One saved connection of the shape this version writes, or null. */
function savedConnection(v: unknown): SavedConnection | null {
  if (typeof v !== 'object' || v === null) return null;
  const { id, spec } = v as Partial<SavedConnection>;
  if (typeof id !== 'string' || !/^c\d+$/.test(id) || typeof spec !== 'object' || spec === null) return null;
  if (typeof spec.url !== 'string') return null;
  if (spec.label !== undefined && typeof spec.label !== 'string') return null;
  if (spec.subprotocols !== undefined && !isStringArray(spec.subprotocols)) return null;
  if (spec.headers !== undefined && !(Array.isArray(spec.headers) && spec.headers.every(isHeader))) return null;
  if (spec.deflate !== undefined && typeof spec.deflate !== 'boolean') return null;
  if (spec.insecure !== undefined && typeof spec.insecure !== 'boolean') return null;
  if (spec.messages !== undefined && !(Array.isArray(spec.messages) && spec.messages.every(isSavedMessage))) return null;
  return { id, spec };
}

/** The saved connections that have the right shape (one id once), and how many were skipped. */
export function checkSavedConnections(value: unknown): { connections: SavedConnection[]; skipped: number } {
  if (!Array.isArray(value)) return { connections: [], skipped: value === undefined ? 0 : 1 };
  const connections: SavedConnection[] = [];
  const ids = new Set<string>();
  for (const item of value) {
    const saved = savedConnection(item);
    if (saved && !ids.has(saved.id)) {
      ids.add(saved.id);
      connections.push(saved);
    }
  }
  return { connections, skipped: value.length - connections.length };
}
