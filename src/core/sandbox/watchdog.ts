import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** Reads a process's resident memory and CPU time from the outside, so that a child stuck in a
 *  builtin (which never checks for termination) is still measured. Linux: /proc; macOS: ps;
 *  elsewhere the watchdog is off and only the heap limit and wall timer apply. */

export interface Usage {
  rssMb: number;
  cpuMs: number;
}

const CLOCK_TICKS = 100;
/** Consecutive one-second idle windows of high CPU use before a child counts as stuck. */
const IDLE_BUSY_WINDOWS = 3; // USER_HZ on Linux, fixed for /proc/<pid>/stat

async function procUsage(pid: number): Promise<Usage | undefined> {
  const [status, stat] = await Promise.all([
    readFile(`/proc/${pid}/status`, 'utf8'),
    readFile(`/proc/${pid}/stat`, 'utf8'),
  ]);
  const rss = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssMb: rss ? Number(rss[1]) / 1024 : 0, cpuMs: (ticks * 1000) / CLOCK_TICKS };
}

function psUsage(pid: number): Promise<Usage | undefined> {
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'rss=,time=', '-p', String(pid)], { timeout: 2000 }, (err, out) => {
      const m = /(\d+)\s+(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)/.exec(String(out));
      if (err || !m) return resolve(undefined);
      const [, rss, d, h, min, s] = m;
      const secs = Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(min) * 60 + Number(s);
      resolve({ rssMb: Number(rss) / 1024, cpuMs: secs * 1000 });
    });
  });
}

export function readUsage(pid: number): Promise<Usage | undefined> {
  if (process.platform === 'linux') return procUsage(pid).catch(() => undefined);
  if (process.platform === 'darwin') return psUsage(pid);
  return Promise.resolve(undefined);
}

export const watchdogSupported = process.platform === 'linux' || process.platform === 'darwin';

export interface WatchdogOptions {
  rssMb: number;
  /** Tree-wide check of each sample (SandboxTree): true when the run tree is over its budget. */
  overTree?(rssMb: number): boolean;
  /** While no cell runs: CPU milliseconds per second above which the child counts as busy. */
  idleCpuMsPerSec: number;
  onBreach(reason: 'memory' | 'cpu', usage: Usage): void;
}

/** Polls one child: fast while a cell runs (memory), slowly between cells (memory and CPU). */
export class Watchdog {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private stopped = false;
  private last: { at: number; cpuMs: number } | undefined;
  private busyWindows = 0;

  constructor(private readonly pid: number, private readonly options: WatchdogOptions) {}

  private onSample: ((cpuMs: number) => void) | undefined;

  /** `cell` true while a cell runs; `onSample` sees each CPU reading taken meanwhile. */
  start(cell: boolean, onSample?: (cpuMs: number) => void): void {
    if (!watchdogSupported || this.stopped) return;
    this.stopTimer();
    this.onSample = onSample;
    this.last = undefined;
    this.busyWindows = 0;
    const interval = cell ? (process.platform === 'linux' ? 50 : 250) : 1000;
    this.timer = setInterval(() => void this.poll(cell), interval);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    this.stopTimer();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async poll(cell: boolean): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const u = await readUsage(this.pid);
      if (!u || this.stopped) return;
      if (u.rssMb > this.options.rssMb || this.options.overTree?.(u.rssMb)) return this.breach('memory', u);
      this.onSample?.(u.cpuMs);
      if (!cell) {
        const now = Date.now();
        if (this.last) {
          const perSec = ((u.cpuMs - this.last.cpuMs) * 1000) / Math.max(1, now - this.last.at);
          // Sustained use only: a burst (taking in a large context, a garbage collection) is fine.
          this.busyWindows = perSec > this.options.idleCpuMsPerSec ? this.busyWindows + 1 : 0;
          if (this.busyWindows >= IDLE_BUSY_WINDOWS) return this.breach('cpu', u);
        }
        this.last = { at: now, cpuMs: u.cpuMs };
      }
    } finally {
      this.busy = false;
    }
  }

  private breach(reason: 'memory' | 'cpu', u: Usage): void {
    this.stop();
    this.options.onBreach(reason, u);
  }
}
