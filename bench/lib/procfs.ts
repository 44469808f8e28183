/** Another process's resident memory and CPU time, read from Linux's /proc (no cooperation needed). */
import { readFileSync } from 'node:fs';

/** Resident set size in bytes (VmRSS), or NaN when /proc is not there. */
export function residentBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return match ? Number(match[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** User + system CPU time in seconds (clock ticks of 1/100 s), or NaN. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Measures the CPU share (1.0 = one core busy) a process used between start() and stop(). */
export function cpuMeter(pid: number): { start(): void; stop(): number } {
  let cpu0 = 0;
  let t0 = 0;
  return {
    start() {
      cpu0 = cpuSeconds(pid);
      t0 = performance.now();
    },
    stop() {
      return (cpuSeconds(pid) - cpu0) / ((performance.now() - t0) / 1000);
    },
  };
}
