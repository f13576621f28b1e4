import { readUsage } from './watchdog';

/** A cell's time limit, counting the sandbox's own time only: wall time while no host call is in
 *  progress, and the child's CPU time while one is. Waiting for a model is not the cell's fault;
 *  computing meanwhile is. `expire` is called once when the limit is used up. */
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

  /** A host call started. */
  callStarted(): void {
    if (this.inFlight++ === 0) this.pause();
  }

  /** A host call ended. */
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
