/** The conformance runs model: each suite run, its progress and its case results. */
import * as vscode from 'vscode';
import { runSuite } from '../../cases/suite';
import { selectCases } from '../../cases/catalogue';
import type { CaseResult } from '../../cases/result';
import { caseTitle } from '../../report/case-text';
import { catalogueText } from '../../report/catalogue-markup';
import { closingRows } from '../../report/closing-table';
import { expectedRepr, observedRepr } from '../../report/python-repr';
import { statsTables } from '../../report/stats-tables';
import { wireLogRows } from '../../report/wire-log';
import type { CaseView } from '../../protocol/messages';

export interface RunEntry {
  id: string;
  url: string;
  agent: string;
  caseIds: string[];
  results: Map<string, CaseResult>;
  state: 'running' | 'done' | 'cancelled' | 'failed';
  error: string | null;
  startedAt: Date;
}

export class RunStore implements vscode.Disposable {
  private readonly entries: RunEntry[] = [];
  private readonly changed = new vscode.EventEmitter<RunEntry | undefined>();
  readonly onDidChange = this.changed.event;
  private counter = 0;

  list(): RunEntry[] {
    return [...this.entries];
  }

  get(id: string): RunEntry | undefined {
    return this.entries.find((r) => r.id === id);
  }

  /** Runs the selected cases (Autobahn patterns such as "1.1.*", "2.1") against a server. */
  async run(
    url: string,
    patterns: string[],
    options: { agent?: string; signal?: AbortSignal; onProgress?: (done: number, total: number, result: CaseResult) => void } = {},
  ): Promise<RunEntry> {
    const cases = selectCases(patterns);
    const entry: RunEntry = {
      id: `r${++this.counter}`,
      url,
      agent: options.agent ?? new URL(url).host,
      caseIds: cases.map((c) => c.id),
      results: new Map(),
      state: 'running',
      error: null,
      startedAt: new Date(),
    };
    this.entries.unshift(entry);
    this.changed.fire(undefined);
    try {
      await runSuite({
        url,
        agent: entry.agent,
        cases,
        signal: options.signal,
        onCaseDone: (result, done, total) => {
          entry.results.set(result.caseId, result);
          options.onProgress?.(done, total, result);
          this.changed.fire(entry);
        },
      });
      entry.state = options.signal?.aborted ? 'cancelled' : 'done';
    } catch (error) {
      entry.state = 'failed';
      entry.error = (error as Error).message;
    }
    this.changed.fire(entry);
    return entry;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** Section id of a case id: "1.1.3" -> "1". */
export const sectionOf = (caseId: string): string => caseId.split('.')[0];

export function caseView(result: CaseResult): CaseView {
  return {
    caseId: result.caseId,
    agent: result.agent,
    title: caseTitle(result),
    behavior: result.behavior,
    behaviorClose: result.behaviorClose,
    description: catalogueText(result.description),
    expectation: catalogueText(result.expectation),
    result: result.result,
    resultClose: result.resultClose,
    expected: expectedRepr(result.expected),
    observed: observedRepr(result.observed),
    closingRows: closingRows(result.closeFacts),
    httpRequest: result.httpRequest,
    httpResponse: result.httpResponse,
    stats: statsTables(result.stats),
    wireLog: wireLogRows(result.wireLog),
    durationMs: result.durationMs,
  };
}
