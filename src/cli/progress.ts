import { terminalSafe } from '../core/text/visible';
import type { TraceEvent } from '../core/trace/types';

/** One short stderr line per interesting event, so a terminal user sees the run move. */
export function progressLine(e: TraceEvent): string | undefined {
  switch (e.type) {
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
    case 'child.start':
      return `  child run (depth ${e.depth}): ${firstLine(e.prompt)}`;
    default:
      return undefined;
  }
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim()) ?? '';
  // Escaped here (before the cut, so an escape is never split) and again when written; escaping twice changes nothing.
  const clean = terminalSafe(line).replace(/\t/g, ' ');
  return clean.length > 100 ? `${clean.slice(0, 99)}…` : clean;
}

/** Counts sub-calls as they finish, for a compact "n sub-calls" progress note. */
export class SubcallCounter {
  done = 0;
  failed = 0;
  note(e: TraceEvent): string | undefined {
    if (e.type !== 'subcall.end') return undefined;
    this.done++;
    if (e.error) this.failed++;
    return this.done % 25 === 0 ? `  ${this.done} sub-calls done` : undefined;
  }
}
