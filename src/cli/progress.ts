import { shorten } from '../core/shorten';
import { terminalSafe } from '../core/text/visible';
import type { TraceEvent } from '../core/trace/types';

const REPL_WORDS = { new: 'new REPL', kept: 'REPL kept its variables', restarted: 'fresh REPL: earlier variables are gone' } as const;

/** One short stderr line per interesting event, so a terminal user sees the run move. */
export function progressLine(e: TraceEvent): string | undefined {
  switch (e.type) {
    case 'run.start':
      return e.questionIndex ? `question ${e.questionIndex} of the conversation (${REPL_WORDS[e.repl ?? 'new']})` : undefined;
    case 'iteration.start':
      return `turn ${e.iteration}/${e.maxIterations}`;
    case 'cell.start':
      return `  cell: ${firstLine(e.code)}`;
    case 'cell.output':
      if (e.error) return `  error: ${firstLine(e.error)}`;
      if (e.killed) return `  cell stopped: ${e.killed}`;
      if (e.final && e.refFixUp) return `  final answer: ${e.unverifiedRefs?.length ?? 0} references do not resolve; one turn to fix them`;
      return e.final ? '  final answer set' : undefined;
    case 'subcall.end':
      return e.error ? `  sub-call failed: ${firstLine(e.error)}` : undefined;
    case 'model.retry':
      return `  ${e.model}: ${e.status !== undefined ? `HTTP ${e.status}` : e.code}, retrying in ${(e.delayMs / 1000).toFixed(1)} s (${e.attempt}/${e.maxRetries})`;
    case 'child.start':
      return `  child run (depth ${e.depth}): ${firstLine(e.prompt)}`;
    default:
      return undefined;
  }
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim()) ?? '';
  // Escaped before the cut (escaping again when written changes nothing); shorten folds tabs and runs of spaces.
  return shorten(terminalSafe(line), 100);
}

/** A "n sub-calls" note each time the run's sub-call count passes a multiple of 25. Reads the run's
 *  own total (carried by model.response and subcall.end), so nothing is counted twice. */
export class SubcallMilestones {
  private shown = 0;
  note(e: TraceEvent): string | undefined {
    if ((e.type !== 'subcall.end' && e.type !== 'model.response') || !e.total) return undefined;
    const reached = Math.floor(e.total.subcalls / 25) * 25;
    if (reached <= this.shown) return undefined;
    this.shown = reached;
    return `  ${reached} sub-calls`;
  }
}

/** Sub-calls started together: one llm_batch call, or one lone llm_query. */
interface Group {
  size: number;
  started: number;
  done: number;
  failed: number;
  tokens: number;
  since: number;
}

/** Default time between "still working" lines while sub-calls are in flight. */
export const HEARTBEAT_MS = 10_000;

/** Batch start and end lines ("llm_batch: 34 sub-calls started", "... done (33 ok, 1 failed),
 *  12,345 tokens, 70.2 s") and, on a timer, a heartbeat while sub-calls are in flight ("… 12 of 34
 *  sub-calls done, 70 s"), so a long batch never looks silent. Only counts are printed: no model
 *  or workspace text. */
export class SubcallProgress {
  private readonly groups = new Map<string, Group>();
  /** subcall.start id -> its group's key. */
  private readonly groupOf = new Map<string, string>();

  note(e: TraceEvent, now = Date.now()): string | undefined {
    if (e.type === 'subcall.start') {
      const key = e.batch ? `batch:${e.batch.id}` : `call:${e.id}`;
      this.groupOf.set(e.id, key);
      let g = this.groups.get(key);
      if (!g) this.groups.set(key, (g = { size: e.batch?.size ?? 1, started: 0, done: 0, failed: 0, tokens: 0, since: now }));
      g.started++;
      return e.batch && g.started === 1 ? `  llm_batch: ${count(e.batch.size, 'sub-call')} started` : undefined;
    }
    if (e.type !== 'subcall.end') return undefined;
    const key = this.groupOf.get(e.subcallId);
    const g = key === undefined ? undefined : this.groups.get(key);
    if (key === undefined || !g) return undefined;
    this.groupOf.delete(e.subcallId);
    g.done++;
    if (e.error) g.failed++;
    if (e.usage) g.tokens += e.usage.promptTokens + e.usage.completionTokens;
    if (g.done < g.size) return undefined;
    this.groups.delete(key);
    if (!key.startsWith('batch:')) return undefined;
    const secs = ((now - g.since) / 1000).toFixed(1);
    return `  llm_batch: ${count(g.size, 'sub-call')} done (${g.size - g.failed} ok, ${g.failed} failed), ${g.tokens.toLocaleString('en-US')} tokens, ${secs} s`;
  }

  /** The heartbeat line, or undefined when no sub-call is in flight. */
  heartbeat(now = Date.now()): string | undefined {
    if (this.groups.size === 0) return undefined;
    let done = 0;
    let size = 0;
    let since = now;
    for (const g of this.groups.values()) {
      done += g.done;
      size += g.size;
      since = Math.min(since, g.since);
    }
    return `  … ${done} of ${count(size, 'sub-call')} done, ${Math.round((now - since) / 1000)} s`;
  }
}

function count(n: number, what: string): string {
  return `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;
}
