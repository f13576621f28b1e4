import type { ModelUsage } from '../llm/types';
import type { Outcome } from './outcome';

export type { Outcome, RunStatus } from './outcome';

/** The run's totals after one model call, from the run's one UsageMeter (readers never add up usage). */
export interface RunTotal {
  /** Prompt + completion tokens of every model call of the run and its child runs so far. */
  tokens: number;
  /** null as soon as one used model's price is unknown. */
  costUsd: number | null;
  /** Sub-calls charged so far (started llm_query, llm_batch items, rlm_query). */
  subcalls: number;
  /** What replies served from the reply cache (or replayed on resume) would have cost; absent when none was. */
  saved?: Saved;
}

/** Tokens and dollars a cached or replayed reply did not cost (costUsd null when a price is unknown). */
export interface Saved {
  tokens: number;
  costUsd: number | null;
}

/** A file a cell read (its masked text's sha256), so a resume can tell whether it changed since. */
export interface FileRead {
  path: string;
  start?: number;
  end?: number;
  /** Read with line numbers (the hash is of the numbered text). */
  numbered?: boolean;
  sha256: string;
}

interface EventBase {
  /** Unique within the run's trajectory. */
  id: string;
  /** Parent node in the recursion tree; absent only on the top run.start. */
  parentId?: string;
  /** Epoch milliseconds. */
  ts: number;
}

export interface RunStartEvent extends EventBase {
  type: 'run.start';
  runId: string;
  question: string;
  scope?: string;
  depth: number;
  rootModel: string;
  subModel: string;
  /** Absent when the workspace scan failed (the run then ends at once). */
  workspace?: { root: string; files: number; bytes: number };
  /** Set when the run is one question of a conversation (src/core/rlm/conversation.ts): the
   *  conversation's id, shared by all its questions. */
  conversationId?: string;
  /** The question's place in its conversation, from 1. */
  questionIndex?: number;
  /** The conversation's REPL for this question: `new` (first question, or a reopened
   *  conversation), `kept` (earlier variables are still there), `restarted` (released after the
   *  idle time-out, or its process was stopped: earlier variables are gone). */
  repl?: ReplState;
  /** The run id this run resumes (its recorded turns were replayed, not asked again). */
  resumedFrom?: string;
}

/** The REPL a conversation's question starts with (see RunStartEvent.repl). */
export type ReplState = 'new' | 'kept' | 'restarted';

export interface IterationStartEvent extends EventBase {
  type: 'iteration.start';
  iteration: number;
  maxIterations: number;
}

export interface ModelResponseEvent extends EventBase {
  type: 'model.response';
  model: string;
  text: string;
  usage: { promptTokens: number; completionTokens: number };
  costUsd: number | null;
  ms: number;
  /** Absent in trajectories written before it existed. */
  total?: RunTotal;
  /** The reply came from the reply cache or, on resume, from the trajectory: no request, nothing paid (usage and cost 0). */
  cached?: boolean;
  /** What the reply cost when it was first asked (with `cached`). */
  saved?: Saved;
}

/**
 * A model reply while it streams (parent: the iteration, like the model.response that follows).
 * Live only: never written to a trajectory or history — the model.response holds the whole text.
 * At most one per DELTA_INTERVAL_MS per call; a retried request starts again from ''.
 */
export interface ModelDeltaEvent extends EventBase {
  type: 'model.delta';
  model: string;
  /** The reply so far, its first DELTA_CHARS characters (what a panel node shows). */
  text: string;
  /** Characters of the reply so far. */
  chars: number;
}

/** A model request failed and is sent again after `delayMs` (parent: the iteration or the sub-call). */
export interface ModelRetryEvent extends EventBase {
  type: 'model.retry';
  model: string;
  /** The attempt that failed, 1-based; the retry is attempt + 1 of maxRetries + 1 requests. */
  attempt: number;
  maxRetries: number;
  delayMs: number;
  /** The failure's ModelErrorCode. */
  code: string;
  status?: number;
}

export interface CellStartEvent extends EventBase {
  type: 'cell.start';
  code: string;
}

export interface CellOutputEvent extends EventBase {
  type: 'cell.output';
  /** id of the matching cell.start */
  cellId: string;
  output: string;
  error?: string;
  final?: boolean;
  /** The FINAL answer's references that do not resolve (see Outcome.unverifiedRefs), and whether
   *  the model was given its one turn to fix them (the run then goes on). */
  unverifiedRefs?: string[];
  refFixUp?: boolean;
  killed?: string;
  ms: number;
  /** Files the cell read (at most CELL_READS_RECORDED), for resume's changed-file check. */
  reads?: FileRead[];
}

export interface SubcallStartEvent extends EventBase {
  type: 'subcall.start';
  kind: 'llm_query' | 'llm_batch' | 'rlm_query';
  model: string;
  /** Prompt, cut to a bounded excerpt for the trace. */
  prompt: string;
  promptChars: number;
  /** An llm_batch item: its batch (one id per call), place and the batch's size. */
  batch?: { id: string; index: number; size: number };
  /** The item's id when model code labelled it (llm_batch([{id, prompt}])). */
  label?: string;
}

export interface SubcallEndEvent extends EventBase {
  type: 'subcall.end';
  /** id of the matching subcall.start */
  subcallId: string;
  reply?: string;
  /** Length of the whole reply (the `reply` excerpt is cut past TRACE_EXCERPT_CHARS). */
  replyChars?: number;
  error?: string;
  /** Served from the reply cache or the resumed trajectory: no request, nothing paid (usage absent, cost 0). */
  cached?: boolean;
  /** What the cached reply cost when it was first asked. */
  saved?: Saved;
  usage?: { promptTokens: number; completionTokens: number };
  costUsd?: number | null;
  ms: number;
  /** After a model call (absent on a failed call and in older trajectories). */
  total?: RunTotal;
}

export interface ChildStartEvent extends EventBase {
  type: 'child.start';
  depth: number;
  prompt: string;
}

/** What an end event carries: the Outcome plus the run tree's figures at that moment. */
interface EndBase extends EventBase, Outcome {
  iterations: number;
  subcalls: number;
  usage: Record<string, ModelUsage>;
  /** null when a model's price is unknown. */
  costUsd: number | null;
  ms: number;
  /** What cached and replayed replies saved, when any did. */
  saved?: Saved;
}

/** The end of a child run; its parent is the child.start. */
export interface ChildEndEvent extends EndBase {
  type: 'child.end';
}

/** The end of the top run, always its last event; its parent is the run.start. */
export interface RunEndEvent extends EndBase {
  type: 'run.end';
}

export type TraceEvent =
  | RunStartEvent
  | IterationStartEvent
  | ModelResponseEvent
  | ModelDeltaEvent
  | ModelRetryEvent
  | CellStartEvent
  | CellOutputEvent
  | SubcallStartEvent
  | SubcallEndEvent
  | ChildStartEvent
  | ChildEndEvent
  | RunEndEvent;

export type TraceEventType = TraceEvent['type'];

/** Events that exist only while a run is live: never stored in a trajectory or history. */
export function isLiveOnly(e: TraceEvent): e is ModelDeltaEvent {
  return e.type === 'model.delta';
}
