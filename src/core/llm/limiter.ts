import { ModelError } from './modelError';
import type { ChatMessage, ChatModel, CompleteOptions, Completion } from './types';

/**
 * At most `max` tasks at once, the rest wait in arrival order (FIFO, so a long llm_batch cannot
 * starve the root model's next call). One limiter per run, shared by every sub-call and child run,
 * so nesting cannot multiply the concurrency.
 */
export class ConcurrencyLimiter {
  private running = 0;
  private readonly queue: { grant: () => void }[] = [];

  constructor(readonly max = 8) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('concurrency must be a positive integer');
  }

  get active(): number {
    return this.running;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Wait for a slot; resolves to its release function (idempotent). Rejects with 'cancelled' on abort while waiting. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(cancelled());
    if (this.running < this.max && this.queue.length === 0) {
      this.running++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const entry = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.running++;
          resolve(this.releaser());
        },
      };
      const onAbort = () => {
        const i = this.queue.indexOf(entry);
        if (i >= 0) this.queue.splice(i, 1);
        reject(cancelled());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(entry);
    });
  }

  /** Run `task` in a slot; the slot is released however the task ends. */
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
      this.running--;
      this.queue.shift()?.grant();
    };
  }
}

function cancelled(): ModelError {
  return new ModelError('Cancelled while waiting for a free model slot.', 'cancelled');
}

/** A ChatModel whose calls go through a shared limiter (the run's sub-model). */
export function limitedModel(model: ChatModel, limiter: ConcurrencyLimiter): ChatModel {
  return {
    id: model.id,
    complete: (messages: ChatMessage[], options: CompleteOptions = {}): Promise<Completion> =>
      limiter.run(() => model.complete(messages, options), options.signal),
  };
}
