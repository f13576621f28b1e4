/** Retry timing for model calls: backoff with jitter, Retry-After parsing, an abortable wait. */

/**
 * Exponential backoff with "equal jitter": half the step is fixed, half random, so concurrent
 * sub-calls that failed together do not retry together, yet no retry comes immediately.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const step = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

interface HeaderBag {
  get(name: string): string | null;
}

/**
 * The server's requested wait in ms, capped at `capMs`; undefined when it sent none or nonsense.
 * Accepts `retry-after-ms`, `Retry-After: <seconds>` and `Retry-After: <HTTP date>`.
 */
export function parseRetryAfter(headers: HeaderBag | undefined, capMs: number, now = Date.now()): number | undefined {
  if (!headers || typeof headers.get !== 'function') return undefined;
  let ms: number | undefined;
  const msHeader = headers.get('retry-after-ms');
  if (msHeader && /^\s*\d+(\.\d+)?\s*$/.test(msHeader)) ms = Number(msHeader);
  const header = headers.get('retry-after');
  if (ms === undefined && header) {
    if (/^\s*\d+(\.\d+)?\s*$/.test(header)) ms = Number(header) * 1000;
    else {
      const date = Date.parse(header);
      if (!Number.isNaN(date)) ms = Math.max(0, date - now);
    }
  }
  if (ms === undefined || !Number.isFinite(ms)) return undefined;
  return Math.min(Math.max(0, Math.round(ms)), capMs);
}

/** Resolves true after `ms`, or false as soon as the signal aborts (so abort never waits out a backoff). */
export function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
