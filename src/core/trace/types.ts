import type { ModelUsage } from '../llm/types';

/** Outcome of a run, as shown in history. */
export type RunStatus = 'answered' | 'forced' | 'failed' | 'cancelled' | 'budget' | 'interrupted';

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
  workspace: { root: string; files: number; bytes: number };
}

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
  killed?: string;
  ms: number;
}

export interface SubcallStartEvent extends EventBase {
  type: 'subcall.start';
  kind: 'llm_query' | 'llm_batch' | 'rlm_query';
  model: string;
  /** Prompt, cut to a bounded excerpt for the trace. */
  prompt: string;
  promptChars: number;
}

export interface SubcallEndEvent extends EventBase {
  type: 'subcall.end';
  /** id of the matching subcall.start */
  subcallId: string;
  reply?: string;
  error?: string;
  usage?: { promptTokens: number; completionTokens: number };
  costUsd?: number | null;
  ms: number;
}

export interface ChildStartEvent extends EventBase {
  type: 'child.start';
  depth: number;
  prompt: string;
}

export interface RunEndEvent extends EventBase {
  type: 'run.end';
  status: RunStatus;
  answer?: string;
  reason?: string;
  iterations: number;
  subcalls: number;
  usage: Record<string, ModelUsage>;
  /** null when a model's price is unknown. */
  costUsd: number | null;
  ms: number;
}

export type TraceEvent =
  | RunStartEvent
  | IterationStartEvent
  | ModelResponseEvent
  | CellStartEvent
  | CellOutputEvent
  | SubcallStartEvent
  | SubcallEndEvent
  | ChildStartEvent
  | RunEndEvent;

export type TraceEventType = TraceEvent['type'];
