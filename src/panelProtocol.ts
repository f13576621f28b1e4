/**
 * Every message between the extension host and the run panel (webview). Both sides import these
 * declarations, so a mismatch fails at compile time. The webview imports this file for types only;
 * its one import is the core's import-free outcome.ts (so the webview reaches nothing else of
 * src/core, and nothing of Node).
 */
import type { Outcome } from './core/trace/outcome';

export type { Outcome, RunStatus } from './core/trace/outcome';

export type NodeKind = 'run' | 'iteration' | 'model' | 'cell' | 'subcall' | 'child';

/** One node of the recursion tree, already shaped for display by the host. */
export interface NodeView {
  id: string;
  parentId?: string;
  kind: NodeKind;
  /** One-line label, plain text. */
  title: string;
  /** Longer plain text: model reply, code of a cell, prompt excerpt of a sub-call. */
  body?: string;
  /** Plain text shown under the body: a cell's output, a sub-call's reply. */
  output?: string;
  error?: string;
  state: 'running' | 'done' | 'error';
  ms?: number;
  tokens?: number;
  /** USD; null when the price is unknown. */
  costUsd?: number | null;
  /** Iteration number for iteration nodes, used for "collapsed below the current iteration". */
  iteration?: number;
}

export interface UsageView {
  tokens: number;
  costUsd: number | null;
  elapsedMs: number;
  subcalls: number;
  iterations: number;
  maxIterations?: number;
  /** Models that answered without a known price (why the cost is unknown). */
  unpricedModels?: string[];
  /** What replies from the reply cache (or replayed on resume) did not cost; absent when none was cached. */
  saved?: { tokens: number; costUsd: number | null };
}

export interface RunHeaderView {
  runId: string;
  question: string;
  scope?: string;
  startedAt: number;
  rootModel?: string;
  subModel?: string;
}

/** A file reference as found in text: `path`, `path:line` or `path:start-end`. */
export interface FileRef {
  path: string;
  line?: number;
  endLine?: number;
}

// ---- host -> webview ----

export interface InitMessage {
  type: 'init';
  header: RunHeaderView;
  nodes: NodeView[];
  usage: UsageView;
  /** Absent while the run works. The answer is Markdown written by the model: the webview renders
   *  it sanitized, never as raw HTML. */
  outcome?: Outcome;
  /** True while the run is in progress (shows Cancel and streams updates). */
  live: boolean;
  /** The cost estimate shown before the run started (EstimateMessage). */
  estimate?: string;
  /** The live run's status line (StatusMessage). */
  status?: string;
  /** The earlier questions of the panel's conversation, oldest first (each shown with its tree collapsed). */
  earlier?: SectionView[];
  /** The panel offers a follow-up box once the run ended. */
  followUps?: boolean;
}

/** One earlier question and answer of a conversation panel. */
export interface SectionView {
  runId: string;
  question: string;
  outcome?: Outcome;
  nodes: NodeView[];
}

export interface NodesMessage {
  type: 'nodes';
  /** New or changed nodes, in event order; a node may appear before its parent only if the parent is known. */
  upserts: NodeView[];
  usage: UsageView;
}

export interface OutcomeMessage {
  type: 'outcome';
  outcome: Outcome;
  usage: UsageView;
}

/** Reply to a VerifyRefsRequest, matched by seq. */
export interface VerifyRefsReply {
  type: 'verifyRefs.reply';
  seq: number;
  /** Same order as the request; true when the file exists in the workspace (and the lines do). */
  verified: boolean[];
  /** Same order: the workspace path a verified reference opens, when it differs from the one asked
   *  (a path without its folders or root name that ends exactly one file's path); null otherwise. */
  paths?: Array<string | null>;
}

/** A passing status of a live run ("fake-x: HTTP 503, retrying in 1.2 s (attempt 2 of 5)"); no text clears it. */
export interface NoticeMessage {
  type: 'notice';
  text?: string;
}

/** What the run was expected to cost before it started ("~$0.04 (90%: under $0.12), ~40k tokens — from your last 12 runs"). */
export interface EstimateMessage {
  type: 'estimate';
  text: string;
}

/** What a live run is doing now ("waiting for gpt-5 (12 s)", "running cell (2.1 s)"), sent at most once a
 *  second while it changes; no text: nothing to say (or the run ended). */
export interface StatusMessage {
  type: 'status';
  text?: string;
}

export type HostToWebview = InitMessage | NodesMessage | OutcomeMessage | VerifyRefsReply | NoticeMessage | EstimateMessage | StatusMessage;

// ---- webview -> host ----

export interface ReadyMessage {
  type: 'ready';
}

export interface VerifyRefsRequest {
  type: 'verifyRefs';
  seq: number;
  refs: FileRef[];
}

export interface OpenRefMessage {
  type: 'openRef';
  ref: FileRef;
}

export interface CancelMessage {
  type: 'cancel';
}

export interface RerunMessage {
  type: 'rerun';
}

/** Resume this (interrupted, failed or budget-stopped) run: the host asks first. */
export interface ResumeMessage {
  type: 'resume';
}

/** Opens the Settings editor at one of the settings the panel links to. */
export interface OpenSettingMessage {
  type: 'openSetting';
  setting: 'rlm.prices';
}

/** Puts text on the clipboard (the answer's Markdown, a code block): webviews cannot rely on the
 *  Clipboard API in every host, VS Code's clipboard always works. */
export interface CopyMessage {
  type: 'copy';
  text: string;
  /** What was copied, for the confirmation ("answer", "code"). */
  what: 'answer' | 'code';
}

/** Opens the answer of the panel's run (`runId`) as an untitled Markdown document. The host reads the
 *  answer from the run, not from the webview. */
export interface OpenMarkdownMessage {
  type: 'openMarkdown';
  runId: string;
}

/** The next question of the panel's conversation (typed in the follow-up box). */
export interface FollowUpMessage {
  type: 'followUp';
  question: string;
}

export type WebviewToHost =
  | ReadyMessage
  | VerifyRefsRequest
  | OpenRefMessage
  | CancelMessage
  | RerunMessage
  | ResumeMessage
  | OpenSettingMessage
  | CopyMessage
  | OpenMarkdownMessage
  | FollowUpMessage;

/** What the webview keeps across a window reload (vscode.setState); the host's WebviewPanelSerializer
 *  reads it (as untrusted input) to restore the panel from history. */
export interface PanelState {
  runIds: string[];
}

/** Upper bounds the host enforces on webview requests (they come from a less trusted context). */
export const PROTOCOL_LIMITS = {
  refsPerRequest: 500,
  pathChars: 1024,
  /** Characters of a run id (history's own rule: letters, digits, `_.-`). */
  runIdChars: 128,
  /** Characters of a follow-up question. */
  questionChars: 20_000,
} as const;
