/** index.json as Autobahn writes it: { agent: { caseId: { behavior, behaviorClose, … } } }. */
import type { Behavior, BehaviorClose, CaseResult } from '../cases/result';
import { reportFileName } from './file-name';
import { formatJson, jsonObject } from './json-format';

export interface IndexEntry {
  behavior: Behavior;
  behaviorClose: BehaviorClose;
  remoteCloseCode: number | null;
  duration: number;
  /** The case's JSON report, relative to the report folder (Autobahn points at the .json). */
  reportfile: string;
}

export type IndexJson = Record<string, Record<string, IndexEntry>>;

/** A later result for the same agent and case replaces an earlier one, as in Autobahn. */
export function buildIndexJson(results: CaseResult[]): IndexJson {
  const index: IndexJson = Object.create(null);
  for (const result of results) {
    index[result.agent] ??= Object.create(null);
    index[result.agent][result.caseId] = {
      behavior: result.behavior,
      behaviorClose: result.behaviorClose,
      remoteCloseCode: result.closeFacts.remoteCloseCode,
      duration: result.durationMs,
      reportfile: reportFileName(result.agent, result.caseId, 'json'),
    };
  }
  return index;
}

export function renderIndexJson(index: IndexJson): string {
  return formatJson(
    jsonObject(Object.entries(index).map(([agent, cases]) => [agent, jsonObject(Object.entries(cases).map(([caseId, entry]) => [caseId, { ...entry }]))])),
  );
}
