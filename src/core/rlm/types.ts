import type { ChatModel, PriceTable } from '../llm/types';
import type { SandboxLimits, SandboxProvider } from '../sandbox/types';
import type { ReplState, RunEndEvent, TraceEvent } from '../trace/types';
import type { WorkspaceAccess } from '../workspace/types';

/** Every budget of a run; each ends the run with a clear reason when it trips. */
export interface Budgets {
  maxIterations: number;
  /** llm_query calls, llm_batch items and rlm_query calls (a child run counts as one; its own
   *  sub-calls count too), over the whole run tree. Child runs' root turns are not sub-calls: see
   *  maxModelRequests. */
  maxSubcalls: number;
  /** Every model request of the run tree: root turns at every depth (child runs' included, and the
   *  forced last answer), and every sub-call that reaches a model. A retried request counts once. */
  maxModelRequests: number;
  /** Total prompt + completion tokens over every model call of the run tree. */
  maxTokens: number;
  /** USD; Infinity for none. With a cap, every model of the run needs a price: the run is refused
   *  at start otherwise (and stopped if an unpriced model is ever used). */
  maxCostUsd: number;
  maxWallMs: number;
  /** 1 = sub-calls are plain model calls; up to 3 lets rlm_query start child runs. */
  maxDepth: number;
  /** Sub-model calls running at once across the whole run tree. */
  concurrency: number;
}

export const DEFAULT_BUDGETS: Budgets = {
  maxIterations: 30,
  maxSubcalls: 500,
  maxModelRequests: 1_000,
  maxTokens: 2_000_000,
  maxCostUsd: Infinity,
  maxWallMs: 30 * 60_000,
  maxDepth: 1,
  concurrency: 8,
};

/** A value, or the step that makes it: run inside the run under its signal, so a failed or
 *  cancelled step still ends the run with run.end. */
export type Prepared<T> = T | ((signal: AbortSignal) => Promise<T>);

/** Bounds on one root turn, so a single model reply cannot flood the host or the next request. */
export interface TurnLimits {
  /** Characters of the REPL's reply to one turn (all cells together), and of the model's reply as
   *  kept in the conversation; past it, head and tail are kept and the cut is stated. */
  outputChars: number;
  /** Code blocks run per reply; later blocks are not run and the model is told so. */
  cells: number;
}

export const DEFAULT_TURN_LIMITS: TurnLimits = {
  outputChars: 50_000,
  cells: 20,
};

export interface RunOptions {
  question: string;
  /** Workspace-relative folder the run is scoped to (for display; the workspace is already scoped). */
  scope?: string;
  /** The scanned workspace, or the scan. */
  workspace: Prepared<WorkspaceAccess>;
  rootModel: ChatModel;
  subModel: ChatModel;
  budgets?: Partial<Budgets>;
  sandboxLimits?: Partial<SandboxLimits>;
  turnLimits?: Partial<TurnLimits>;
  prices?: PriceTable;
  signal?: AbortSignal;
  /** Every trace event, in order, as it happens. */
  onEvent?: (event: TraceEvent) => void;
}

/** What a conversation's question brings to its run (made by `Conversation.ask`, never by hosts). */
export interface ConversationLink {
  id: string;
  /** The question's place in the conversation, from 1. */
  index: number;
  /** The conversation's workspace: scanned by its first question (and again after an idle release). */
  workspace: Prepared<WorkspaceAccess>;
  /** Once the workspace is ready: the REPL state this question starts with, the top loop's sandbox
   *  (the conversation's kept session; child runs use the pool), and what the root model is told. */
  begin(pool: SandboxProvider): { repl: ReplState; session: SandboxProvider; preface: Preface };
  /** The run ended (called exactly once, with the run.end event as redacted for the trace). */
  end(event: RunEndEvent | undefined): void;
}

/** Extra text of a top loop's first messages: appended to the system prompt, put before the
 *  question's first user message. */
export interface Preface {
  system?: string;
  user?: string;
}

/** Defaults of a conversation's limits (settings `rlm.conversation.*`, CLI `--idle-minutes`,
 *  `--answer-chars`). */
export const DEFAULT_CONVERSATION = {
  /** The REPL (its process) and the scanned workspace are released after this long without a question. */
  idleMs: 15 * 60_000,
  /** Characters of each earlier answer in the root model's prompt (the latest keeps 4 times as many). */
  answerChars: 2_000,
};
