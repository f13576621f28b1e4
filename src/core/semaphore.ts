/**
 * At most `size` holders at once; the rest wait first come, first served, so a long llm_batch
 * cannot starve the root model's next call. A waiter whose signal aborts leaves the queue at once
 * and rejects with the error its owner words (`cancelled`). A released slot passes straight to
 * the next waiter, so the limit holds however tasks end. The one semaphore of the code base: model
 * calls and child runs (RunState), greps (Workspace), a cell's sub-calls (sandbox/rpc.ts).
 * Ours rather than a queue library: ~40 lines, and the cancel error is the caller's.
 */
export class Semaphore {
  private holders = 0;
  private readonly queue: Array<() => void> = [];

  constructor(
    readonly size: number,
    private readonly cancelled: () => Error,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError('concurrency must be a positive integer');
  }

  get active(): number {
    return this.holders;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Waits for a slot; resolves to its release function (idempotent). */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(this.cancelled());
    if (this.holders < this.size && this.queue.length === 0) {
      this.holders++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.releaser());
      };
      const onAbort = () => {
        const i = this.queue.indexOf(grant);
        if (i >= 0) this.queue.splice(i, 1);
        reject(this.cancelled());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(grant);
    });
  }

  /** Runs `task` in a slot; the slot is released however the task ends. */
  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await task();
    } finally {
      release();
    }
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) next(); // the slot passes on: holders stays the same
      else this.holders--;
    };
  }
}
