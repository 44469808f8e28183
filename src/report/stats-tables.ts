/** The four "Wire Statistics" tables, rows sorted by key, each with its total row. */
import type { WireStats } from '../cases/result';

export interface StatsTable {
  title: string;
  header: string[];
  rows: string[][];
  total: string[];
}

export function statsTables(stats: WireStats): StatsTable[] {
  return [
    octetTable('Octets Received by Chop Size', stats.rxOctetsByChopSize),
    octetTable('Octets Transmitted by Chop Size', stats.txOctetsByChopSize),
    frameTable('Frames Received by Opcode', stats.rxFramesByOpcode),
    frameTable('Frames Transmitted by Opcode', stats.txFramesByOpcode),
  ];
}

function octetTable(title: string, counts: Map<number, number>): StatsTable {
  const entries = sortedEntries(counts);
  const rows = entries.map(([size, count]) => [size, count, size * count].map(String));
  const totalCount = entries.reduce((sum, [, count]) => sum + count, 0);
  const totalOctets = entries.reduce((sum, [size, count]) => sum + size * count, 0);
  return { title, header: ['Chop Size', 'Count', 'Octets'], rows, total: ['Total', String(totalCount), String(totalOctets)] };
}

function frameTable(title: string, counts: Map<number, number>): StatsTable {
  const entries = sortedEntries(counts);
  const totalCount = entries.reduce((sum, [, count]) => sum + count, 0);
  return { title, header: ['Opcode', 'Count'], rows: entries.map((entry) => entry.map(String)), total: ['Total', String(totalCount)] };
}

function sortedEntries(counts: Map<number, number>): Array<[number, number]> {
  return [...counts.entries()].sort(([a], [b]) => a - b);
}
