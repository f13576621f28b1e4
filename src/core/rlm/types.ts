import type { ChatModel, PriceTable } from '../llm/types';
import type { SandboxLimits } from '../sandbox/types';
import type { TraceEvent } from '../trace/types';
import type { WorkspaceAccess } from '../workspace/types';

/** Every budget of a run; each ends the run with a clear reason when it trips. */
export interface Budgets {
  maxIterations: number;
  maxSubcalls: number;
  /** Total prompt + completion tokens over every model call of the run tree. */
  maxTokens: number;
  /** USD; Infinity for none. A run whose prices are unknown cannot be cost-capped (stated in the trace). */
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
  maxTokens: 2_000_000,
  maxCostUsd: Infinity,
  maxWallMs: 30 * 60_000,
  maxDepth: 1,
  concurrency: 8,
};

/** A value, or the step that makes it: run inside the run under its signal, so a failed or
 *  cancelled step still ends the run with run.end. */
export type Prepared<T> = T | ((signal: AbortSignal) => Promise<T>);

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
  prices?: PriceTable;
  signal?: AbortSignal;
  /** Every trace event, in order, as it happens. */
  onEvent?: (event: TraceEvent) => void;
}
