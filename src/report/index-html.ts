/**
 * index.html: a matrix of cases (rows, in catalogue order, one block per section) by agents
 * (columns), each cell coloured by verdict and linking to the case's HTML report, next to a
 * close cell as in Autobahn's summary. A case an agent did not run shows as "Missing".
 */
import { compressionRatios, type Behavior, type CaseResult } from '../cases/result';
import { WORKBENCH_BANNER, type CaseReportOptions } from './case-text';
import { compareCaseIds } from '../cases/select';
import { reportFileName } from './file-name';
import { REPORT_CSP, SafeHtml, html } from './html';
import type { IndexEntry, IndexJson } from './index-json';
import { INDEX_CSS } from './styles';
import { behaviorClass, closeCell } from './verdict';

const INDEX_WORDS: Record<Behavior, string> = {
  OK: 'Pass',
  'NON-STRICT': 'Non-Strict',
  INFORMATIONAL: 'Info',
  UNIMPLEMENTED: 'Unimplemented',
  FAILED: 'Fail',
};

const LEGEND: ReadonlyArray<readonly [string, string, string]> = [
  ['case_ok', 'Pass', 'Test case was executed and passed successfully.'],
  ['case_non_strict', 'Non-Strict', 'Passed non-strictly: a SHOULD of the specification, or a desirable canonical behaviour, was not followed. Still conformant.'],
  ['case_failed', 'Fail', 'Test case was executed and failed: a MUST of the specification was not followed.'],
  ['case_info', 'Info', 'Informational test case: behaviour the specification leaves open.'],
  ['case_unimplemented', 'Unimplemented', 'The peer does not implement the tested feature (e.g. permessage-deflate).'],
  ['case_missing', 'Missing', 'Test case was not run for this agent.'],
];

/** Autobahn's "[in/out]" compression ratios after a 12.x/13.x case's time, e.g. "[0.187/1.001]"; by agent, then case. */
export type CompressionDetails = Map<string, Map<string, string>>;

/** The ratios of the results that report them (a later result for a case replaces an earlier one). */
export function compressionDetails(results: readonly CaseResult[]): CompressionDetails {
  const out: CompressionDetails = new Map();
  for (const result of results) {
    if (!result.reportCompressionRatio || !result.trafficStats) continue;
    const { incoming, outgoing } = compressionRatios(result.trafficStats);
    const ratio = (r: number | null) => (r === null ? '-' : r.toFixed(3));
    if (!out.has(result.agent)) out.set(result.agent, new Map());
    out.get(result.agent)!.set(result.caseId, `[${ratio(incoming)}/${ratio(outgoing)}]`);
  }
  return out;
}

export function renderIndexHtml(index: IndexJson, options: CaseReportOptions = {}, compression: CompressionDetails = new Map()): string {
  const [bannerTitle, bannerSubtitle] = options.banner ?? WORKBENCH_BANNER;
  const agents = Object.keys(index).sort();
  const caseIds = [...new Set(agents.flatMap((agent) => Object.keys(index[agent])))].sort(compareCaseIds);
  const rows = caseIds.flatMap((caseId, i) => {
    const section = caseId.split('.')[0];
    const startsSection = i === 0 || caseIds[i - 1].split('.')[0] !== section;
    const caseRow = html`<tr><td class="case">Case ${caseId}</td>${agents.map((agent) => resultCells(agent, caseId, index[agent][caseId], compression.get(agent)?.get(caseId)))}</tr>\n`;
    return startsSection ? [sectionRow(section, agents), caseRow] : [caseRow];
  });
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<title>${bannerTitle}</title>
<style>${new SafeHtml(INDEX_CSS)}</style>
</head>
<body>
<p class="banner banner_title">${bannerTitle}</p>
<p class="banner">${bannerSubtitle}</p>
<table id="legend">
${LEGEND.map(([cssClass, word, meaning]) => html`<tr><td class="${cssClass}">${word}</td><td class="outcome_desc">${meaning}</td></tr>\n`)}</table>
<br>
<table id="agent_case_results">
${rows}</table>
</body>
</html>
`.text;
}

function sectionRow(section: string, agents: string[]): SafeHtml {
  return html`<tr><td class="case_category">Section ${section}</td>${agents.map((agent) => html`<td class="agent" colspan="2">${agent}</td>`)}</tr>\n`;
}

function resultCells(agent: string, caseId: string, entry: IndexEntry | undefined, compression: string | undefined): SafeHtml {
  if (!entry) return html`<td class="case_missing" colspan="2">Missing</td>`;
  if (entry.behavior === 'UNIMPLEMENTED') return html`<td class="case_unimplemented" colspan="2">Unimplemented</td>`;
  const close = closeCell(entry.behaviorClose, entry.remoteCloseCode);
  const detail = compression ? `${entry.duration} ms ${compression}` : `${entry.duration} ms`;
  return html`<td class="${behaviorClass(entry.behavior)}"><a href="${reportFileName(agent, caseId, 'html')}">${INDEX_WORDS[entry.behavior]}</a><span class="case_duration">${detail}</span></td><td class="close ${close.cssClass}">${close.text}</td>`;
}
