/**
 * index.html, laid out as Autobahn's summary: a matrix of cases (rows, in catalogue order, under
 * their section and subsection titles) by agents (columns), each cell coloured by verdict and
 * linking to the case's HTML report, next to a close cell; the time only for the cases whose time
 * Autobahn reports (9.x, 12.x, 13.x); then every case's description and expectation, which each
 * case's name links to. A case an agent did not run shows as "Missing".
 */
import { caseById, sectionTitles } from '../cases/catalogue';
import { compressionRatios, type Behavior, type CaseResult } from '../cases/result';
import { catalogueHtml } from './catalogue-markup';
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
    const { section, subsection } = placeOf(caseId);
    const before = i === 0 ? null : placeOf(caseIds[i - 1]);
    const out: SafeHtml[] = [];
    if (before?.section !== section) out.push(sectionRow(section, agents));
    if (subsection && (before?.section !== section || before.subsection !== subsection)) out.push(subsectionRow(subsection, agents.length * 2 + 1));
    out.push(html`<tr><td class="case"><a href="#${descriptionAnchor(caseId)}">Case ${caseId}</a></td>${agents.map((agent) => resultCells(agent, caseId, index[agent][caseId], compression.get(agent)?.get(caseId)))}</tr>\n`);
    return out;
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
<p class="banner banner_title" id="top">${bannerTitle}</p>
<p class="banner">${bannerSubtitle}</p>
<table id="legend">
${LEGEND.map(([cssClass, word, meaning]) => html`<tr><td class="${cssClass}">${word}</td><td class="outcome_desc">${meaning}</td></tr>\n`)}</table>
<br>
<table id="agent_case_results">
${rows}</table>
<div id="test_case_descriptions">
${caseIds.map(caseDescription)}</div>
</body>
</html>
`.text;
}

/** A case's section ("6") and, for ids of three parts, its subsection ("6.4"). */
function placeOf(caseId: string): { section: string; subsection: string | null } {
  const parts = caseId.split('.');
  return { section: parts[0], subsection: parts.length > 2 ? `${parts[0]}.${parts[1]}` : null };
}

const titled = (id: string) => `${id} ${sectionTitles.get(id) ?? ''}`.trimEnd();

function sectionRow(section: string, agents: string[]): SafeHtml {
  return html`<tr><td class="case_category">${titled(section)}</td>${agents.map((agent) => html`<td class="agent" colspan="2">${agent}</td>`)}</tr>\n`;
}

function subsectionRow(subsection: string, columns: number): SafeHtml {
  return html`<tr><td class="case_subcategory" colspan="${String(columns)}">${titled(subsection)}</td></tr>\n`;
}

const descriptionAnchor = (caseId: string) => `case_desc_${caseId.replace(/\./g, '_')}`;

/** The case's description and expectation, as at the foot of Autobahn's summary (cases it knows). */
function caseDescription(caseId: string): SafeHtml {
  const definition = caseById(caseId);
  if (!definition) return html``;
  return html`<h2 id="${descriptionAnchor(caseId)}">Case ${caseId}</h2>
<a class="up" href="#top">Up</a>
<p class="case_text_block"><b>Case Description</b><br><br>${catalogueHtml(definition.description)}</p>
<p class="case_text_block"><b>Case Expectation</b><br><br>${catalogueHtml(definition.expectation)}</p>
`;
}

function resultCells(agent: string, caseId: string, entry: IndexEntry | undefined, compression: string | undefined): SafeHtml {
  if (!entry) return html`<td class="case_missing" colspan="2">Missing</td>`;
  if (entry.behavior === 'UNIMPLEMENTED') return html`<td class="case_unimplemented" colspan="2">Unimplemented</td>`;
  const close = closeCell(entry.behaviorClose, entry.remoteCloseCode);
  // Autobahn shows a case's time only where the case reports it (reportTime: 9.x, 12.x, 13.x).
  const time = caseById(caseId)?.reportTime === false ? null : `${entry.duration} ms`;
  const detail = [time, compression].filter(Boolean).join(' ');
  return html`<td class="${behaviorClass(entry.behavior)}"><a href="${reportFileName(agent, caseId, 'html')}">${INDEX_WORDS[entry.behavior]}</a>${detail ? html`<span class="case_duration">${detail}</span>` : ''}</td><td class="close ${close.cssClass}">${close.text}</td>`;
}
