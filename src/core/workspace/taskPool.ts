import { RlmError } from '../errors';

/** Runs async tasks with bounded concurrency; tasks may add more tasks. `drain()` resolves when
 *  nothing is queued or running, and rejects on abort. Task errors are the task's business. */
export class TaskPool {
  private readonly queue: Array<() => Promise<void>> = [];
  private active = 0;
  private done?: () => void;
  private fail?: (err: unknown) => void;
  private aborted = false;

  constructor(
    private readonly limit: number,
    private readonly signal?: AbortSignal,
  ) {}

  add(task: () => Promise<void>): void {
    if (this.aborted) return;
    this.queue.push(task);
    this.pump();
  }

  drain(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.done = resolve;
      this.fail = reject;
      const onAbort = () => {
        this.aborted = true;
        this.queue.length = 0;
        reject(new RlmError('workspace scan cancelled', 'cancelled'));
      };
      if (this.signal?.aborted) return onAbort();
      this.signal?.addEventListener('abort', onAbort, { once: true });
      this.checkIdle();
    });
  }

  private pump(): void {
    // LIFO keeps the walk depth-first, so the queue stays about as long as one directory.
    while (!this.aborted && this.active < this.limit && this.queue.length > 0) {
      const task = this.queue.pop()!;
      this.active++;
      task()
        .catch((err) => this.fail?.(err))
        .finally(() => {
          this.active--;
          this.pump();
          this.checkIdle();
        });
    }
  }

  private checkIdle(): void {
    if (this.active === 0 && this.queue.length === 0) this.done?.();
  }
}

/** Lets at most `limit` runs go at once; the rest wait in order (or until their signal aborts).
 *  Keeps model code that fires hundreds of greps from starting hundreds of processes. */
export class Gate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.active >= this.limit) await this.wait(signal);
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes straight on
      else this.active--;
    }
  }

  private wait(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const cancelled = () => new RlmError('cancelled while waiting for an earlier search', 'cancelled');
      if (signal?.aborted) return reject(cancelled());
      const go = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(cancelled());
      };
      this.waiting.push(go);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
