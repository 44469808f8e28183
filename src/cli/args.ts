/**
 * A small argument parser: declared options only, repeatable ones collected in order, and
 * a clear UsageError for anything unknown or missing a value.
 */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
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
