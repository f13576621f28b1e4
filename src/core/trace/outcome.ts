// How a run ended: the one ending type. The engine resolves to it (inside run.end), a child run's
// child.end carries it, history and the panel show it. No imports: src/panelProtocol.ts (and so the
// webview) imports this file for types, without reaching the rest of the core.

/** `interrupted`: the host stopped the run because VS Code closed or reloaded (an abort whose reason is an
 *  RlmError coded `interrupted`, see RunState), or history found a run whose process went away. */
export type RunStatus = 'answered' | 'forced' | 'failed' | 'cancelled' | 'budget' | 'interrupted';

/** A run that ended so can be resumed (`Replay`, src/core/rlm/replay.ts): it stopped before its answer. */
export const RESUMABLE_STATUSES: ReadonlySet<string> = new Set<RunStatus>(['interrupted', 'failed', 'budget']);

export interface Outcome {
  status: RunStatus;
  /** Markdown written by the model (answered, forced). */
  answer?: string;
  /** Why the run ended without a clean answer, for the user. */
  reason?: string;
  /** References of the answer that name no file of the workspace (or lines past its end), each as
   *  written plus why, e.g. "gc.c:5000 (builtin/gc.c has 3000 lines)". Absent when all resolve. */
  unverifiedRefs?: string[];
}
