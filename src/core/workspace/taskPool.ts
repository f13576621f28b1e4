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
