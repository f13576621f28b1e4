/**
 * A model call's progress as trace events: its reply while it streams (model.delta) and its retries
 * (model.retry). Deltas are batched here, where they arrive: at most one event per DELTA_INTERVAL_MS
 * per call, checked on arrival (no timer), so the emitter redacts and the host receives a bounded
 * number of events however finely the endpoint chunks its stream. The model.response that follows
 * carries the whole text, so a delta left unsent at the end is never lost.
 */
import type { CompleteOptions } from '../llm/types';
import type { RunState } from './runState';

export const DELTA_INTERVAL_MS = 100;
/** Characters of the reply a model.delta carries (a panel node shows its first 4,000). */
export const DELTA_CHARS = 8000;

type Hooks = Pick<CompleteOptions, 'onDelta' | 'onDeltaReset' | 'onRetry'>;

/** Retries of any model call under `parentId` reach the trace. */
export function retryHook(state: RunState, parentId: string, model: string): Hooks['onRetry'] {
  return (info) => {
    state.emit({ type: 'model.retry', parentId, model, attempt: info.attempt, maxRetries: info.maxRetries, delayMs: info.delayMs, code: info.code, status: info.status });
  };
}

/** The hooks that stream a call's reply into the trace under `parentId`, and report its retries. */
export function replyStream(state: RunState, parentId: string, model: string, now: () => number = Date.now): Hooks {
  let text = '';
  let last = -Infinity;
  const send = () => {
    last = now();
    state.emit({ type: 'model.delta', parentId, model, text: text.slice(0, DELTA_CHARS), chars: text.length });
  };
  return {
    onDelta: (d) => {
      text += d;
      if (now() - last >= DELTA_INTERVAL_MS) send();
    },
    onDeltaReset: () => {
      // A retried request starts its node's text again.
      text = '';
      send();
    },
    onRetry: retryHook(state, parentId, model),
  };
}
