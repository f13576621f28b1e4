import { RlmError } from '../errors';

/** Bytes of replies the host holds for one sandbox: computed and not yet written to the IPC
 *  channel, plus a reservation for each readFile/grep still in progress (its result is not yet
 *  known). A new readFile/grep starts only once its reservation fits, in arrival order, so a cell
 *  that fires a thousand reads at once gets them answered a budget's worth at a time instead of
 *  the host building a thousand replies in memory. One reply larger than the whole budget still
 *  goes, alone. Sub-call replies are counted but never wait: their size is bounded by the model. */
export class ReplyBudget {
  private used = 0;
  private waiters: Array<{ bytes: number; signal: AbortSignal; go: () => void; fail: (err: Error) => void }> = [];
  /** One abort listener per signal (a cell), not one per waiting call: a thousand listeners on one
   *  AbortSignal cost the host's thread more than the calls themselves. */
  private readonly watched = new WeakSet<AbortSignal>();

  constructor(readonly maxBytes: number) {}

  /** Bytes held now (for tests and the bench). */
  get held(): number {
    return this.used;
  }

  /** Waits until `bytes` fit (or nothing else is held), then holds them. Rejects on abort. */
  async reserve(bytes: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) throw cancelled();
    if (this.waiters.length === 0 && this.fits(bytes)) {
      this.used += bytes;
      return;
    }
    if (!this.watched.has(signal)) {
      this.watched.add(signal);
      signal.addEventListener('abort', () => this.drop(signal), { once: true });
    }
    await new Promise<void>((go, fail) => this.waiters.push({ bytes, signal, go, fail }));
  }

  /** The cell of `signal` ended: its waiting calls never start. */
  private drop(signal: AbortSignal): void {
    const gone = this.waiters.filter((w) => w.signal === signal);
    this.waiters = this.waiters.filter((w) => w.signal !== signal);
    for (const w of gone) w.fail(cancelled());
    this.pump();
  }

  /** Holds `bytes` at once (a sub-call reply, whose size the model bounds). */
  add(bytes: number): void {
    this.used += bytes;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
    this.pump();
  }

  private fits(bytes: number): boolean {
    return this.used === 0 || this.used + bytes <= this.maxBytes;
  }

  private pump(): void {
    while (this.waiters.length > 0 && this.fits(this.waiters[0].bytes)) {
      const w = this.waiters.shift()!;
      this.used += w.bytes;
      // Each admitted call starts in a turn of the event loop of its own: a reply that finishes
      // at once (a cached file) would otherwise admit the next in the same turn, and so on.
      setImmediate(w.go);
    }
  }
}

function cancelled(): RlmError {
  return new RlmError('the cell ended before this call started', 'cell-ended');
}

/** An upper bound of the bytes `value` takes on the IPC channel (V8 serialisation: a string is 1
 *  or 2 bytes a character, so 2 is counted; numbers and framing a few bytes). Walks plain data only:
 *  replies are built by the host (file text, grep hits, model answers). */
export function replyBytes(value: unknown, depth = 0): number {
  if (typeof value === 'string') return 2 * value.length + 8;
  if (value === null || typeof value !== 'object' || depth > 4) return 16;
  let n = 16;
  if (Array.isArray(value)) {
    for (const v of value) n += replyBytes(v, depth + 1);
    return n;
  }
  for (const [k, v] of Object.entries(value)) n += 2 * k.length + replyBytes(v, depth + 1);
  return n;
}
