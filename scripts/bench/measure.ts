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

/**
 * CPU time (ms) of everything this process started, however deep (the stand-in or an embedded mongod; with FerretDB,
 * FerretDB and PostgreSQL with its backends, which are PostgreSQL's children), minus `except` and what they started;
 * null when there is nothing (an external MONGODB_URI is not ours to measure). A descendant that exited counts through
 * its parent's time for waited-for children, so two readings subtract cleanly while backends come and go.
 */
export function descendantCpuMs(except: (number | undefined)[] = []): number | null {
  const children = new Map<number, number[]>();
  try {
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const parent = Number(statFields(entry)?.[1]);
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent)!.push(Number(entry));
    }
  } catch {
    return null;
  }
  let total = 0;
  let found = false;
  const pending = (children.get(process.pid) ?? []).filter((pid) => !except.includes(pid));
  while (pending.length) {
    const pid = pending.pop()!;
    const fields = statFields(pid);
    if (fields) {
      found = true;
      // utime stime cutime cstime, in clock ticks (100 per second).
      total += ((Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 1000) / 100;
    }
    pending.push(...(children.get(pid) ?? []));
  }
  return found ? total : null;
}
