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
