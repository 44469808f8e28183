/**
 * The whole catalogue: Autobahn|Testsuite sections 1-7, 9, 10, 12 and 13, 517 cases in Autobahn's
 * run order (sorted by id, numerically), so `caseByIndex(n)` is Autobahn's `/runCase?case=n`.
 */
import type { CaseDefinition } from '../definition';
import { compareCaseIds, selectCaseIds } from '../select';
import { autoFragmentationCases } from './auto-fragmentation';
import { closeCases } from './close';
import { compressionCases } from './compression';
import { fragmentationCases } from './fragmentation';
import { framingCases } from './framing';
import { limitsCases } from './limits';
import { opcodeCases } from './opcodes';
import { pingCases } from './pings';
import { reservedBitsCases } from './reserved-bits';
import { utf8Cases } from './utf8';

export { sectionTitles } from './sections';

export const allCases: readonly CaseDefinition[] = [
  ...framingCases,
  ...pingCases,
  ...reservedBitsCases,
  ...opcodeCases,
  ...fragmentationCases,
  ...utf8Cases,
  ...closeCases,
  ...limitsCases,
  ...autoFragmentationCases,
  ...compressionCases,
].sort((a, b) => compareCaseIds(a.id, b.id));

const byId: ReadonlyMap<string, CaseDefinition> = new Map(allCases.map((definition) => [definition.id, definition]));
const numbers: ReadonlyMap<string, number> = new Map(allCases.map((definition, index) => [definition.id, index + 1]));

/** Autobahn's number for a case: its place (1-based) in the whole catalogue, null for a case not in it. */
export function caseNumber(id: string): number | null {
  return numbers.get(id) ?? null;
}

export function caseById(id: string): CaseDefinition | undefined {
  return byId.get(id);
}

/** The n-th case (1-based, like Autobahn) of `cases`, by default of the whole catalogue. */
export function caseByIndex(n: number, cases: readonly CaseDefinition[] = allCases): CaseDefinition | undefined {
  return Number.isInteger(n) && n >= 1 ? cases[n - 1] : undefined;
}

/**
 * The cases `include` selects minus those `exclude` selects, in run order. Patterns as in
 * Autobahn's spec files: "*", "1.*", "5.20", "6.4.*", "12.*". Throws `UnknownCaseError` when
 * `include` names a case that does not exist.
 */
export function selectCases(include: readonly string[], exclude: readonly string[] = []): CaseDefinition[] {
  return selectCaseIds(
    allCases.map((definition) => definition.id),
    include,
    exclude,
  ).map((id) => byId.get(id) as CaseDefinition);
}
