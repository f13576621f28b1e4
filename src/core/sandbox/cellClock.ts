import { readUsage } from './watchdog';

/** A cell's time limit: wall time while no sub-call is in progress, and the child's CPU time while
 *  one is. Waiting for a model is not the cell's fault (sub-calls have their own budgets); computing
 *  meanwhile is. Waiting for readFile and grep is host work the cell asked for and counts in full:
 *  the session reports sub-calls only. `expire` is called once when the limit is used up. */
export class CellClock {
  private inFlight = 0;
  private spent = 0;
  private runningSince = performance.now();
  private pausedCpu: number | undefined;
  private epoch = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly limitMs: number,
    private readonly pid: number | undefined,
    private readonly expire: () => void,
  ) {
    this.arm();
  }

  /** A sub-call started. */
  callStarted(): void {
    if (this.inFlight++ === 0) this.pause();
  }

  /** A sub-call ended. */
  callEnded(): void {
    if (--this.inFlight === 0) this.resume();
  }

  /** A CPU reading of the child (from the watchdog) while the clock may be paused. */
  sample(cpuMs: number): void {
    if (this.inFlight > 0 && this.pausedCpu !== undefined && this.spent + (cpuMs - this.pausedCpu) > this.limitMs) this.fire();
  }

  stop(): void {
    this.stopped = true;
    this.clear();
  }

  private fire(): void {
    if (this.stopped) return;
    this.stop();
    this.expire();
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    this.clear();
    if (!this.stopped) this.timer = setTimeout(() => this.fire(), Math.max(0, this.limitMs - this.spent));
  }

  private cpuNow(): Promise<number | undefined> {
    return this.pid === undefined ? Promise.resolve(undefined) : readUsage(this.pid).then((u) => u?.cpuMs);
  }

  private pause(): void {
    this.spent += performance.now() - this.runningSince;
    this.clear();
    const mine = ++this.epoch;
    this.pausedCpu = undefined;
    void this.cpuNow().then((c) => {
      if (mine === this.epoch) this.pausedCpu = c;
    });
  }

  private resume(): void {
    const mine = ++this.epoch;
    const from = this.pausedCpu;
    this.runningSince = performance.now();
    this.arm();
    if (from === undefined) return;
    void this.cpuNow().then((c) => {
      if (c === undefined || this.stopped) return;
      this.spent += Math.max(0, c - from);
      if (this.inFlight === 0 && mine === this.epoch) this.arm();
    });
  }
}
