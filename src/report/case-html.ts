/** A case report as an HTML page: the text report's sections, with Autobahn's colours. */
import type { CaseResult } from '../cases/result';
import { WORKBENCH_BANNER, httpDump, closingSentence, type CaseReportOptions } from './case-text';
import { catalogueHtml } from './catalogue-markup';
import { closingRows } from './closing-table';
import { REPORT_CSP, SafeHtml, html } from './html';
import { expectedRepr, observedRepr } from './python-repr';
import { statsTables, type StatsTable } from './stats-tables';
import { CASE_CSS } from './styles';
import { behaviorClass, verdictWord } from './verdict';
import { WIRELOG_DISABLED_NOTICE, wireLogRows, wirelogEnabledAtEnd } from './wire-log';

export function renderCaseHtml(result: CaseResult, options: CaseReportOptions = {}): string {
  const [bannerTitle, bannerSubtitle] = options.banner ?? WORKBENCH_BANNER;
  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<title>${result.agent} - Case ${result.caseId}</title>
<style>${new SafeHtml(CASE_CSS)}</style>
</head>
<body>
<p class="banner banner_title">${bannerTitle}</p>
<p class="banner">${bannerSubtitle}</p>
<p class="case ${behaviorClass(result.behavior)}">${result.agent} - <b>Case ${result.caseId}</b> : ${verdictWord(result.behavior)} - <b>${result.durationMs}</b> ms @ ${result.started}</p>
<p class="case_text_block"><b>Case Description</b><br><br>${catalogueHtml(result.description)}</p>
<p class="case_text_block"><b>Case Expectation</b><br><br>${catalogueHtml(result.expectation)}</p>
<p class="case_text_block"><b>Case Outcome</b><br><br>${result.result}<br><br>
<i>Expected:</i><br><span class="case_pickle">${expectedRepr(result.expected)}</span><br><br>
<i>Observed:</i><br><span class="case_pickle">${observedRepr(result.observed)}</span></p>
<p class="case_text_block"><b>Case Closing Behavior</b><br><br>${closingSentence(result)}</p>
<hr>
<h2>Opening Handshake</h2>
<pre class="http_dump">${httpDump(result.httpRequest)}</pre>
<pre class="http_dump">${httpDump(result.httpResponse)}</pre>
<hr>
<h2>Closing Behavior</h2>
<table>
<tr class="stats_header"><td>Key</td><td class="left">Value</td><td class="left">Description</td></tr>
${closingRows(result.closeFacts).map((row) => html`<tr class="stats_row"><td>${row.key}</td><td class="left">${row.value}</td><td class="left">${row.description}</td></tr>\n`)}</table>
<hr>
<h2>Wire Statistics</h2>
${statsTables(result.stats).map(statsTableHtml)}<hr>
<h2>Wire Log</h2>
${wirelogEnabledAtEnd(result.wireLog) ? '' : html`<p><i>${WIRELOG_DISABLED_NOTICE}</i></p>\n`}<div id="wirelog">
${wireLogRows(result.wireLog).flatMap((row) => row.lines.map((line) => html`<pre class="${row.cssClass}">${line}</pre>\n`))}</div>
</body>
</html>
`;
  return page.text;
}

function statsTableHtml(table: StatsTable): SafeHtml {
  const cells = (row: string[]) => row.map((cell) => html`<td>${cell}</td>`);
  return html`<h3>${table.title}</h3>
<table>
<tr class="stats_header">${cells(table.header)}</tr>
${table.rows.map((row) => html`<tr class="stats_row">${cells(row)}</tr>\n`)}<tr class="stats_total">${cells(table.total)}</tr>
</table>
`;
}
