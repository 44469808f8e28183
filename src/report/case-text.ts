/**
 * A case report as text, line for line what a browser shows of Autobahn's HTML case report
 * (../shared/reference/autobahn-case-5.20-report.txt): same sections, order and blank lines, and
 * table cells run together as copied text does.
 */
import type { CaseResult } from '../cases/result';
import { catalogueText } from './catalogue-markup';
import { closingRows } from './closing-table';
import { expectedRepr, observedRepr } from './python-repr';
import { statsTables } from './stats-tables';
import { verdictWord } from './verdict';
import { WIRELOG_DISABLED_NOTICE, wireLogRows, wirelogEnabledAtEnd } from './wire-log';

/** The two lines above the title (Autobahn's logo captions). */
export type Banner = readonly [string, string];
export const WORKBENCH_BANNER: Banner = ['WebSocket Workbench Conformance Report', 'WebSocket Workbench'];

export interface CaseReportOptions {
  banner?: Banner;
}

export function renderCaseText(result: CaseResult, options: CaseReportOptions = {}): string {
  const [bannerTitle, bannerSubtitle] = options.banner ?? WORKBENCH_BANNER;
  const lines = [
    bannerTitle,
    bannerSubtitle,
    '',
    caseTitle(result),
    ...section('Case Description', [catalogueText(result.description)]),
    ...section('Case Expectation', [catalogueText(result.expectation)]),
    ...section('Case Outcome', [result.result, '', 'Expected:', expectedRepr(result.expected), '', 'Observed:', observedRepr(result.observed)]),
    ...section('Case Closing Behavior', [closingSentence(result), '', '']),
    ...section('Opening Handshake', [httpDump(result.httpRequest), httpDump(result.httpResponse), '']),
    ...section('Closing Behavior', ['KeyValueDescription', ...closingRows(result.closeFacts).map((row) => row.key + row.value + row.description), '']),
    '',
    'Wire Statistics',
    ...statsTables(result.stats).flatMap((table) => section(table.title, [table.header, ...table.rows, table.total].map((cells) => cells.join('')))),
    '',
    ...section('Wire Log', [...disabledNotice(result), ...wireLogRows(result.wireLog).flatMap((row) => row.lines)]),
  ];
  return lines.join('\n') + '\n';
}

export function caseTitle(result: CaseResult): string {
  return `${result.agent} - Case ${result.caseId} : ${verdictWord(result.behavior)} - ${result.durationMs} ms @ ${result.started}`;
}

export function closingSentence(result: CaseResult): string {
  return `${result.resultClose} (${result.behaviorClose})`;
}

/** The handshake as Autobahn prints it: stripped, one header per line. */
export function httpDump(http: string): string {
  return http.trim().replace(/\r\n/g, '\n');
}

function disabledNotice(result: CaseResult): string[] {
  return wirelogEnabledAtEnd(result.wireLog) ? [] : [WIRELOG_DISABLED_NOTICE, ''];
}

/** A blank line, the heading, a blank line, the body. */
function section(heading: string, body: string[]): string[] {
  return ['', heading, '', ...body];
}
