/** The conformance runs model: each suite run, its progress and its case results. */
import * as vscode from 'vscode';
import { runSuite } from '../../cases/suite';
import { sectionTitles, selectCases } from '../../cases/catalogue';
import { compareCaseIds } from '../../cases/select';
import { failureReasons, isCaseFailure } from '../../report';
import type { CaseResult } from '../../cases/result';
import { caseTitle } from '../../report/case-text';
import { catalogueText } from '../../report/catalogue-markup';
import { closingRows } from '../../report/closing-table';
import { expectedRepr, observedRepr } from '../../report/python-repr';
import { statsTables } from '../../report/stats-tables';
import { wireLogRows } from '../../report/wire-log';
import type { CaseView, MatrixView } from '../../protocol/messages';

export interface RunEntry {
  id: string;
  /** 'server': we ran the cases against a server; 'client': a client under test ran them against our fuzzing server. */
  kind: 'server' | 'client';
  /** The server under test, or (kind 'client') our fuzzing server's URL. */
  url: string;
  /** kind 'client': the id of the fuzzing server in the servers model. */
  serverId?: string;
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
      kind: 'server',
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

  /** The run of one client under test (agent) on a fuzzing server, made when its first case starts. */
  clientRun(serverId: string, url: string, agent: string): RunEntry {
    let entry = this.entries.find((r) => r.kind === 'client' && r.serverId === serverId && r.agent === agent);
    if (!entry) {
      entry = { id: `r${++this.counter}`, kind: 'client', url, serverId, agent, caseIds: [], results: new Map(), state: 'running', error: null, startedAt: new Date() };
      this.entries.unshift(entry);
      this.changed.fire(undefined);
    }
    return entry;
  }

  /** A client started a case on a fuzzing server: the case shows as pending in its run. */
  clientCaseStarted(serverId: string, url: string, agent: string, caseId: string): RunEntry {
    const entry = this.clientRun(serverId, url, agent);
    addCaseId(entry, caseId);
    this.changed.fire(entry);
    return entry;
  }

  /** A case a client ran on a fuzzing server was judged (also one that ends after the server stopped). */
  clientCaseDone(serverId: string, url: string, result: CaseResult): RunEntry {
    const entry = this.clientRun(serverId, url, result.agent);
    addCaseId(entry, result.caseId);
    entry.results.set(result.caseId, result);
    this.changed.fire(entry);
    return entry;
  }

  /** The fuzzing server stopped: its client runs are over. */
  endClientRuns(serverId: string): void {
    for (const entry of this.entries) {
      if (entry.kind === 'client' && entry.serverId === serverId && entry.state === 'running') {
        entry.state = 'done';
        this.changed.fire(entry);
      }
    }
  }

  /** The runs a matrix target names: its run ids, or every client run of a fuzzing server (oldest agent first). */
  runsFor(target: { runIds?: string[]; serverId?: string }): RunEntry[] {
    if (target.serverId) return this.entries.filter((r) => r.kind === 'client' && r.serverId === target.serverId).reverse();
    return (target.runIds ?? []).flatMap((id) => this.get(id) ?? []);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * The agents × cases matrix of some runs: one column per run (agent), one row per case any of them
 * has, grouped by section in catalogue order; a cell is null where that agent has no result.
 */
export function matrixView(title: string, runs: RunEntry[]): MatrixView {
  const caseIds = [...new Set(runs.flatMap((r) => r.caseIds))].sort(compareCaseIds);
  const sections: MatrixView['sections'] = [];
  for (const caseId of caseIds) {
    const id = sectionOf(caseId);
    let section = sections.at(-1);
    if (section?.id !== id) {
      section = { id, title: sectionTitles.get(id) ?? '', rows: [] };
      sections.push(section);
    }
    section.rows.push({
      caseId,
      cells: runs.map((r) => {
        const result = r.results.get(caseId);
        return result ? { behavior: result.behavior, behaviorClose: result.behaviorClose, durationMs: result.durationMs } : null;
      }),
    });
  }
  return {
    title,
    agents: runs.map((r) => ({
      runId: r.id,
      agent: r.agent,
      detail: r.kind === 'client' ? `client under test on ${r.url}` : `server under test ${r.url}`,
      done: r.results.size,
      failed: [...r.results.values()].filter(isCaseFailure).length,
    })),
    sections,
  };
}

function addCaseId(entry: RunEntry, caseId: string): void {
  if (entry.caseIds.includes(caseId)) return;
  entry.caseIds.push(caseId);
  entry.caseIds.sort(compareCaseIds);
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
    why: failureReasons(result, 1000),
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
