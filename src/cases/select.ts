/**
 * Case selection with Autobahn's patterns (`CaseSet.resolveCasePatternList` / `parseSpecCases`,
 * autobahntestsuite/caseset.py): "*" matches any text, a pattern only has to match the start of
 * an id ("1.*" is 1.1.1..1.2.8; "1*" also takes 10.x, 12.x, 13.x), a pattern without "*" names
 * one case. The result is sorted by id, numerically, like Autobahn's run order.
 */

export class UnknownCaseError extends Error {
  readonly code = 'WSW_ERR_UNKNOWN_CASE';
  constructor(readonly caseId: string) {
    super(`unknown case id "${caseId}"`);
    this.name = 'UnknownCaseError';
  }
}

/** Compare ids such as "6.4.3" and "6.10.1" number by number. */
export function compareCaseIds(a: string, b: string): number {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const diff = (x[i] ?? -1) - (y[i] ?? -1);
    if (diff !== 0) return diff;
  }
  return 0;
}

function patternRegExp(pattern: string): RegExp {
  // Autobahn escapes only "."; escaping every other character as well changes nothing for ids.
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}`);
}

/** The ids a list of patterns stands for. Ids named without "*" are kept even when unknown. */
function resolvePatterns(patterns: readonly string[], ids: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const pattern of patterns) {
    if (!pattern.includes('*')) out.add(pattern);
    else {
      const re = patternRegExp(pattern);
      for (const id of ids) if (re.test(id)) out.add(id);
    }
  }
  return out;
}

/**
 * The ids selected by `include` minus those selected by `exclude`, in run order. An included id
 * named exactly that does not exist throws `UnknownCaseError` (Autobahn fails on it too); unknown
 * ids in `exclude` are ignored.
 */
export function selectCaseIds(ids: readonly string[], include: readonly string[], exclude: readonly string[]): string[] {
  const known = new Set(ids);
  const excluded = resolvePatterns(exclude, ids);
  const selected = [...resolvePatterns(include, ids)].filter((id) => !excluded.has(id));
  const unknown = selected.find((id) => !known.has(id));
  if (unknown !== undefined) throw new UnknownCaseError(unknown);
  return selected.sort(compareCaseIds);
}
