import type { WorkspaceAccess } from '../workspace/types';
import type { SandboxTree } from './sandboxTree';

/** Every limit the sandbox enforces; each has a default (see DEFAULT_SANDBOX_LIMITS) and a message. */
export interface SandboxLimits {
  /** Wall time per cell; past it the process is killed and replaced. */
  cellTimeoutMs: number;
  /** V8 old-space limit of the sandbox process (--max-old-space-size). */
  heapMb: number;
  /** Resident memory watched by the host; past it the process is killed. */
  rssMb: number;
  /** Resident memory of all sandbox processes of one run tree together (a run and its child runs,
   *  see SandboxSessionOptions.tree); past it the process that grew is killed. */
  treeRssMb: number;
  /** Megabytes of replies the host holds for one sandbox at once (computed, not yet written to the
   *  channel, or a readFile/grep in progress); further readFile/grep calls wait. */
  replyQueueMb: number;
  /** Printed output per cell, head and tail kept. */
  outputChars: number;
  /** Serialised size of a cell's shown value and of a FINAL value. */
  valueChars: number;
  /** Sub-calls (llm_query, each llm_batch item, rlm_query) per cell. */
  subcallsPerCell: number;
  /** Sub-calls running at once from one cell. */
  subcallsInFlight: number;
  /** Characters per sub-call prompt (plus text for rlm_query). */
  promptChars: number;
  /** Prompts per llm_batch call. */
  batchSize: number;
  /** Characters of all prompts of one llm_batch call together: one call is one IPC message, and
   *  batchSize x promptChars (80 MB by default) would cross the channel before any other check. */
  batchChars: number;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = {
  cellTimeoutMs: 30_000,
  heapMb: 512,
  rssMb: 1024,
  treeRssMb: 2048,
  replyQueueMb: 64,
  outputChars: 20_000,
  valueChars: 20_000,
  subcallsPerCell: 200,
  subcallsInFlight: 16,
  promptChars: 400_000,
  batchSize: 200,
  batchChars: 8_000_000,
};

/** What the sub-call endowments call on the host. The engine implements it (budgets, trace);
 *  tests may supply their own. Thrown RlmErrors reach model code as their message. */
export interface SubcallHost {
  /** `batch`: the call is one item of an llm_batch (the trace labels it so). */
  llmQuery(prompt: string, options: { model?: string; batch?: boolean }, signal: AbortSignal): Promise<string>;
  rlmQuery(prompt: string, text: string | undefined, signal: AbortSignal): Promise<string>;
}

export interface SandboxSessionOptions {
  workspace: WorkspaceAccess;
  subcalls: SubcallHost;
  limits?: Partial<SandboxLimits>;
  /** The run tree this session belongs to, for the tree-wide memory budget (treeRssMb);
   *  without one the session is a tree of its own. */
  tree?: SandboxTree;
}

export type KillReason = 'timeout' | 'memory' | 'cpu' | 'crash' | 'cancelled';

export interface CellResult {
  /** Printed output plus the shown value, escaped and truncated, ready for the model. */
  output: string;
  /** A syntax or runtime error of the cell, with its line, e.g. "ReferenceError: x is not defined (line 3)". */
  error?: string;
  /** Set when the cell finished the run (FINAL, FINAL_VAR, or answer.ready = true). */
  final?: { value: string };
  /** Set when the host killed the process during this cell. */
  killed?: KillReason;
  /** True when this cell ran in a fresh process after an earlier kill: earlier variables are gone. */
  variablesLost?: boolean;
  durationMs: number;
}

/** One earlier question of a conversation as the REPL's frozen `history` array holds it. */
export interface HistoryEntry {
  question: string;
  /** null when the question ended without an answer (failed, cancelled, out of budget). */
  answer: string | null;
  /** How the question ended (a RunStatus). */
  status: string;
}

/** One run's REPL: a Compartment in a sandbox process, persistent across cells. */
export interface SandboxSession {
  runCell(code: string, signal?: AbortSignal): Promise<CellResult>;
  /** Replaces the REPL's `history` (earlier questions of a conversation); kept across a restart
   *  of the process. Outside conversations `history` is an empty array. */
  setHistory(entries: readonly HistoryEntry[]): void;
  /** True when the process died since its last cell (a stopped cell, a crash): the next cell runs
   *  in a fresh REPL and earlier variables are gone. */
  readonly replLost: boolean;
  dispose(): Promise<void>;
}

/** Hands out sessions, keeping a warm spare process so a run starts fast.
 *  Implemented by `SandboxPool` in ./pool.ts: `new SandboxPool({ scriptPath, limits })`. */
export interface SandboxProvider {
  openSession(options: SandboxSessionOptions): Promise<SandboxSession>;
  dispose(): Promise<void>;
}
