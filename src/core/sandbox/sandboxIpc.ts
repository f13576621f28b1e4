import type { HistoryEntry, SandboxLimits } from './types';

/** Messages between the host and the sandbox process (JSON over the IPC channel).
 *  The host treats every child message as untrusted data and checks its shape before use. */

export type CallOp = 'readFile' | 'grep' | 'llm_query' | 'llm_batch' | 'rlm_query';

export type HostMessage =
  /** The context map as JSON text: serialised once per map and reused by every session over it. */
  | { t: 'open'; contextJson: string; limits: SandboxLimits }
  | { t: 'cell'; id: number; index: number; code: string }
  /** The REPL's `history` (a conversation's earlier questions), replaced whole. */
  | { t: 'history'; entries: HistoryEntry[] }
  | { t: 'reply'; cell: number; id: number; ok: true; value: unknown }
  | { t: 'reply'; cell: number; id: number; ok: false; message: string };

export type ChildMessage =
  | { t: 'ready' }
  | { t: 'call'; cell: number; id: number; op: CallOp; args: unknown[] }
  /** Head of the cell's output, streamed so that a killed cell still shows what it printed. */
  | { t: 'out'; cell: number; text: string }
  | { t: 'done'; cell: number; output: string; error?: string; final?: string }
  /** Sent once the child's event loop turned after `done`: nothing of the cell is still running. */
  | { t: 'idle'; cell: number };

export const CALL_OPS: readonly CallOp[] = ['readFile', 'grep', 'llm_query', 'llm_batch', 'rlm_query'];

/** Shared by the child (which checks before sending, to keep huge prompts off the channel) and the host. */
export function promptTooLong(what: string, chars: number, limit: number): string {
  return `${what}: prompt of ${chars} characters is over the limit of ${limit}; send a smaller slice`;
}

/** Shared by the child (which refuses before sending) and the host (which checks again). */
export function batchTooLong(chars: number, limit: number): string {
  return `llm_batch: prompts of ${chars} characters in all are over the limit of ${limit} per call (batchChars); split the batch across calls`;
}

/** How a failed llm_batch item reads in the result array (index from 0, as in the prompts array). */
export function batchItemFailed(index: number, message: string): string {
  return `[llm_batch item ${index} failed: ${message}]`;
}

/** Paths, patterns, globs and model names longer than this are refused before they are sent. */
export const MAX_ARG_CHARS = 65_536;

/** Endowment calls one cell may have waiting at once (a flood of un-awaited calls would otherwise
 *  queue unbounded work on the host's thread). */
export const MAX_CALLS_IN_FLIGHT = 1024;
