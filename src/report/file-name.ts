/**
 * Report file names as Autobahn makes them (`makeAgentCaseReportFilename` in fuzzing.py):
 * "<agent>_case_<id, dots as underscores>.<ext>", the agent lowercased with every character
 * outside [a-z0-9] turned into a space, stripped, and spaces turned into underscores. The result
 * holds only [a-z0-9_] plus the extension, so no agent name ("../../x", "a/b", "c:\\d", NUL…) can
 * leave the report folder. Two deviations: only ASCII letters are lowercased (Python 2 would
 * map a few others, such as the Kelvin sign, to ASCII), and the agent part is capped at 100
 * characters so file names stay within every file system's limit.
 */

export type ReportExtension = 'html' | 'json' | 'txt';

const MAX_AGENT_PART = 100;

export function reportFileName(agent: string, caseId: string, ext: ReportExtension): string {
  return `${cleanForFilename(agent).slice(0, MAX_AGENT_PART)}_case_${cleanForFilename(caseId.replace(/\./g, '_'), '_')}.${ext}`;
}

function cleanForFilename(text: string, keepAlso = ''): string {
  let spaced = '';
  for (const char of text.replace(/[A-Z]/g, (c) => c.toLowerCase())) {
    spaced += /^[a-z0-9]$/.test(char) || keepAlso.includes(char) ? char : ' ';
  }
  return spaced.trim().replace(/ /g, '_');
}
