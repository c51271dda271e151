// Measuring helpers every benchmark shares (no database imports, so the chat load generator can use them too).
import fs from 'node:fs';

/** The value at percentile p of an ascending list (NaN when empty). */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A /proc/<pid>/stat line's fields after the command name (which may hold spaces): state ppid ... utime(14) stime(15). */
function statFields(pid: number | string): string[] | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU time (ms) of one process, from /proc on Linux: utime + stime in clock ticks (100 per second). */
export function procCpuMs(pid: number): number | null {
  const fields = statFields(pid);
  return fields ? ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 : null;
}

/** This process's children (the stand-in or embedded mongod a script started; an external MONGODB_URI is none), minus `except`. */
export function childPids(except: (number | undefined)[] = []): number[] {
  try {
    return fs
      .readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry) && !except.includes(Number(entry)))
      .filter((entry) => Number(statFields(entry)?.[1]) === process.pid)
      .map(Number);
  } catch {
    return [];
  }
}

/** CPU time (ms) of those children together, or null when there are none (the database is not ours to measure). */
export function childCpuMs(except: (number | undefined)[] = []): number | null {
  const pids = childPids(except);
  return pids.length ? pids.reduce((sum, pid) => sum + (procCpuMs(pid) ?? 0), 0) : null;
}
