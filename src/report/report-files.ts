/**
 * Everything that goes into a report folder, as data: the caller writes the files (src/report
 * stays free of I/O). Paths are bare file names from reportFileName, so none can leave the folder.
 * Per case: .html, .json and .txt; plus index.json and index.html.
 */
import type { CaseResult } from '../cases/result';
import { renderCaseHtml } from './case-html';
import { caseResultJson } from './case-json';
import { renderCaseText, type CaseReportOptions } from './case-text';
import { reportFileName } from './file-name';
import { compressionDetails, renderIndexHtml } from './index-html';
import { buildIndexJson, renderIndexJson } from './index-json';

export interface ReportFile {
  path: string;
  content: string;
}

/**
 * One file per path: a later result for the same agent and case (or for an agent whose name
 * cleans to the same file name, as in Autobahn) replaces the earlier one.
 */
export function reportFiles(results: CaseResult[], options: CaseReportOptions = {}): ReportFile[] {
  const files = new Map<string, string>();
  for (const result of results) {
    files.set(reportFileName(result.agent, result.caseId, 'html'), renderCaseHtml(result, options));
    files.set(reportFileName(result.agent, result.caseId, 'json'), caseResultJson(result) + '\n');
    files.set(reportFileName(result.agent, result.caseId, 'txt'), renderCaseText(result, options));
  }
  const index = buildIndexJson(results);
  files.set('index.json', renderIndexJson(index) + '\n');
  files.set('index.html', renderIndexHtml(index, options, compressionDetails(results)));
  return [...files].map(([path, content]) => ({ path, content }));
}
