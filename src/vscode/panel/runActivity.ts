/**
 * What a live run is doing now, in one line for the panel's status line: "waiting for gpt-5 (12 s)",
 * "retrying after 503 (2/4, in 3 s)", "running cell (2.1 s)", "14 sub-calls in flight". Pure (no
 * vscode): it folds the run's events into a little state and words it for a given clock, so the
 * host can ask once a second (LiveRun) and nothing runs per event beyond a map update.
 */
import type { TraceEvent } from '../../core/trace/types';

interface Retry {
  model: string;
  why: string;
  /** The retry is request `attempt + 1`; shown as retry `attempt` of `maxRetries`. */
  attempt: number;
  maxRetries: number;
  at: number;
}

export class RunActivity {
  private rootId: string | undefined;
  private rootModel = 'the model';
  /** The top run's model call in progress: since when, and whether text has arrived. */
  private waiting: { iterationId: string; since: number; replying: boolean } | undefined;
  private readonly cells = new Map<string, number>();
  private readonly subcalls = new Set<string>();
  /** Retries waiting, by the node whose call they retry. */
  private readonly retries = new Map<string, Retry>();
  private ended = false;

  apply(e: TraceEvent): void {
    switch (e.type) {
      case 'run.start':
        if (e.parentId === undefined && this.rootId === undefined) {
          this.rootId = e.id;
          this.rootModel = e.rootModel;
        }
        break;
      case 'iteration.start':
        if (e.parentId === this.rootId) this.waiting = { iterationId: e.id, since: e.ts, replying: false };
        break;
      case 'model.delta':
        this.retries.delete(e.parentId ?? '');
        if (this.waiting && this.waiting.iterationId === e.parentId) this.waiting.replying = true;
        break;
      case 'model.retry':
        this.retries.set(e.parentId ?? '', {
          model: e.model,
          why: e.status !== undefined ? String(e.status) : e.code,
          attempt: e.attempt,
          maxRetries: e.maxRetries,
          at: e.ts + e.delayMs,
        });
        break;
      case 'model.response':
        this.retries.delete(e.parentId ?? '');
        if (this.waiting?.iterationId === e.parentId) this.waiting = undefined;
        break;
      case 'cell.start':
        this.cells.set(e.id, e.ts);
        break;
      case 'cell.output':
        this.cells.delete(e.cellId);
        break;
      case 'subcall.start':
        this.subcalls.add(e.id);
        break;
      case 'subcall.end':
        this.subcalls.delete(e.subcallId);
        this.retries.delete(e.subcallId);
        break;
      case 'run.end':
        if (e.parentId === this.rootId) this.ended = true;
        break;
    }
  }

  /** The status line at `now`; undefined once the run has ended (or before it starts working). */
  text(now = Date.now()): string | undefined {
    if (this.ended) return undefined;
    const parts: string[] = [];
    const retry = this.soonestRetry();
    if (retry) parts.push(`retrying ${retry.model} after ${retry.why} (${retry.attempt}/${retry.maxRetries}, in ${seconds(retry.at - now)})`);
    if (this.waiting && !(retry && this.retries.has(this.waiting.iterationId))) {
      const elapsed = seconds(now - this.waiting.since);
      parts.push(this.waiting.replying ? `${this.rootModel} is replying (${elapsed})` : `waiting for ${this.rootModel} (${elapsed})`);
    }
    const cell = this.oldestCell();
    if (cell !== undefined) parts.push(`running cell (${tenths(now - cell)})`);
    if (this.subcalls.size) parts.push(`${this.subcalls.size} sub-call${this.subcalls.size === 1 ? '' : 's'} in flight`);
    return parts.length ? parts.join(' · ') : undefined;
  }

  private soonestRetry(): Retry | undefined {
    let best: Retry | undefined;
    for (const r of this.retries.values()) if (!best || r.at < best.at) best = r;
    return best;
  }

  private oldestCell(): number | undefined {
    let oldest: number | undefined;
    for (const ts of this.cells.values()) if (oldest === undefined || ts < oldest) oldest = ts;
    return oldest;
  }
}

function seconds(ms: number): string {
  return `${Math.max(0, Math.round(ms / 1000))} s`;
}

function tenths(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
}
