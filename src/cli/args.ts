import { X509Certificate } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * A small argument parser: declared options only, repeatable ones collected in order, and
 * a clear UsageError for anything unknown or missing a value.
 */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

/** `--help` (as an option, not as an option's value) or `-h` (as a word of its own): print the usage. */
export class HelpRequested extends Error {
  override readonly name = 'HelpRequested';
}

export type OptionKind = 'flag' | 'value' | 'list';

export interface ParsedArgs {
  positionals: string[];
  flags: Set<string>;
  values: Map<string, string>;
  /** Repeatable options, in command-line order across all of them: [name, value]. */
  ordered: [string, string][];
}

/**
 * `spec` maps each option name (without --) to its kind. `--name=value` and `--name value` both
 * work. `takesOptionalSecond` lets an option consume one more non-option word (`--close 1000 bye`).
 */
export function parseArgs(argv: string[], spec: Record<string, OptionKind>, takesOptionalSecond: string[] = []): ParsedArgs {
  const parsed: ParsedArgs = { positionals: [], flags: new Set(), values: new Map(), ordered: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') throw new HelpRequested();
    if (!arg.startsWith('--') || arg === '--') {
      parsed.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const kind = spec[name];
    if (!kind) throw new CliUsageError(`unknown option --${name}`);
    if (kind === 'flag') {
      if (eq >= 0) throw new CliUsageError(`--${name} takes no value`);
      if (parsed.flags.has(name)) throw new CliUsageError(`--${name} given twice`);
      parsed.flags.add(name);
      continue;
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length) value = argv[++i];
    else throw new CliUsageError(`--${name} needs a value`);
    if (takesOptionalSecond.includes(name) && i + 1 < argv.length && !argv[i + 1].startsWith('--')) {
      value += '\0' + argv[++i];
    }
    if (kind === 'list') parsed.ordered.push([name, value]);
    else if (parsed.values.has(name)) throw new CliUsageError(`--${name} given twice`);
    else parsed.values.set(name, value);
  }
  return parsed;
}

export function integerOption(parsed: ParsedArgs, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const text = parsed.values.get(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) throw new CliUsageError(`--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return value;
}

/** A decimal number (no hex, exponents or spaces) from min to max. */
export function numberOption(parsed: ParsedArgs, name: string, fallback: number, min: number, max: number): number {
  const text = parsed.values.get(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+(?:\.\d+)?$/.test(text) || value < min || value > max) throw new CliUsageError(`--${name} must be a number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return value;
}

/** The longest a Node timer can wait (ms); longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The contents of the file an option names; a file that cannot be read is a usage error that names both. */
export function readInputFile(option: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new CliUsageError(`--${option} ${path}: ${reason(error)}`);
  }
}

/**
 * The certificates of a --ca file, checked now: a file that holds no PEM certificate, or a broken
 * one, would otherwise be ignored and the connection refused as if --ca had not been given.
 */
export function readCaFile(path: string): Buffer {
  const bytes = readInputFile('ca', path);
  const blocks = bytes.toString('latin1').match(/-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new CliUsageError(`--ca ${path}: no PEM certificate in it ("-----BEGIN CERTIFICATE-----")`);
  blocks.forEach((block, index) => {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new CliUsageError(`--ca ${path}: certificate ${index + 1} of ${blocks.length} is not valid (${(error as Error).message})`);
    }
  });
  return bytes;
}

/**
 * Makes sure reports could be written to `dir`, before any work that would be lost, without
 * creating anything (a run that fails writes nothing): `dir`, or the nearest part of its path that
 * exists, must be a folder this process may write to.
 */
export function prepareOutputDir(option: string, dir: string): void {
  if (!dir) throw new CliUsageError(`--${option} needs a folder`);
  let existing = resolve(dir);
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  try {
    if (!statSync(existing).isDirectory()) throw Object.assign(new Error(), { code: existing === resolve(dir) ? 'EEXIST' : 'ENOTDIR' });
    accessSync(existing, constants.W_OK);
  } catch (error) {
    throw new CliUsageError(`--${option} ${dir}: ${reason(error)}`);
  }
  // access() says yes to root everywhere; /proc, /sys and read-only mounts still refuse files
  // (and Node's recursive mkdir under /proc never returns). Ask the file system itself.
  const probe = join(existing, `.wsw-write-test-${process.pid}`);
  try {
    writeFileSync(probe, '', { flag: 'wx' });
    rmSync(probe);
  } catch (error) {
    throw new CliUsageError(`--${option} ${dir}: files cannot be created in ${existing} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Makes sure `file` could be written (its folder, not a folder itself), before any work that would be lost. */
export function prepareOutputFile(option: string, file: string): void {
  if (!file) throw new CliUsageError(`--${option} needs a file name`);
  prepareOutputDir(option, dirname(file));
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat) return; // does not exist yet: the folder is writable
  if (stat.isDirectory()) throw new CliUsageError(`--${option} ${file}: is a folder, not a file`);
  try {
    accessSync(file, constants.W_OK);
  } catch (error) {
    throw new CliUsageError(`--${option} ${file}: ${reason(error)}`);
  }
}

/** "no such file or directory (ENOENT)" rather than Node's message with the path again. */
function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  const known: Record<string, string> = {
    ENOENT: 'no such file or folder', EISDIR: 'is a folder, not a file', ENOTDIR: 'a part of the path is not a folder',
    EEXIST: 'exists and is not a folder', EACCES: 'permission denied', EPERM: 'not permitted', EROFS: 'read-only file system',
  };
  return e.code && known[e.code] ? `${known[e.code]} (${e.code})` : e.message;
}
