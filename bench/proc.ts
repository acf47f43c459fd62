// CPU time and resident memory of a process, read from /proc/<pid>/stat (Linux).
const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux userland
const PAGE_BYTES = 4096;

export interface ProcSample {
  /** performance.now() when read */
  at: number;
  /** user + system CPU seconds of all the process's threads */
  cpuSeconds: number;
  rssBytes: number;
}

export function sampleProcess(pid: number): ProcSample {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  // The command name may hold spaces; fields after its ")" start at field 3 (state).
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const field = (n: number) => Number(fields[n - 3]);
  return {
    at: performance.now(),
    cpuSeconds: (field(14) + field(15)) / CLOCK_TICKS_PER_SECOND, // utime + stime
    rssBytes: field(24) * PAGE_BYTES,
  };
}

/** CPU cores the process kept busy between two samples (1 = one core all the time). */
export function coresUsed(from: ProcSample, to: ProcSample): number {
  return (to.cpuSeconds - from.cpuSeconds) / ((to.at - from.at) / 1000);
}

export const MIB = 1024 * 1024;
