/** What `rlm ask` and `rlm chat` write: the answer on stdout, progress and errors on stderr. */
import type { RunEndEvent } from '../core/trace/types';
import { terminalSafe } from '../core/text/visible';
import type { CliOptions } from './args';

export const EXIT = { ok: 0, failed: 1, usage: 2, budget: 3, cancelled: 130 } as const;

// Everything this process writes goes through these two: the answer, progress, JSON and every
// error line carry model or endpoint text, which must not drive the terminal or hide characters.
export const stdout = (text: string) => process.stdout.write(terminalSafe(text));
export const stderr = (text: string) => process.stderr.write(terminalSafe(text));

/** Prints a run's end (the answer, or --json's object; the summary line) and returns its exit status. */
export function report(o: Pick<CliOptions, 'json' | 'quiet'>, runId: string, r: RunEndEvent): number {
  const code = r.answer !== undefined && (r.status === 'answered' || r.status === 'forced')
    ? EXIT.ok
    : r.status === 'cancelled' ? EXIT.cancelled : r.status === 'budget' ? EXIT.budget : EXIT.failed;
  if (o.json) {
    const { answer, status, reason, iterations, subcalls, usage, costUsd, ms } = r;
    stdout(`${JSON.stringify({ runId, answer: answer ?? null, status, reason: reason ?? null, iterations, subcalls, usage, cost: costUsd, ms })}\n`);
  } else if (code === EXIT.ok) {
    stdout(`${r.answer ?? ''}\n`);
  }
  const cost = r.costUsd === null ? 'cost unknown' : `$${r.costUsd.toFixed(4)}`;
  if (!o.quiet) stderr(`${r.status}: ${r.iterations} turns, ${r.subcalls} sub-calls, ${cost}, ${(r.ms / 1000).toFixed(1)} s\n`);
  if (code !== EXIT.ok && !o.json) stderr(`rlm: ${r.status}: ${r.reason ?? 'no answer'}\n`);
  return code;
}

export function fail(o: Pick<CliOptions, 'json'>, message: string, code: number): number {
  if (o.json) stdout(`${JSON.stringify({ answer: null, status: 'failed', reason: message })}\n`);
  stderr(`rlm: ${message}\n`);
  return code;
}
