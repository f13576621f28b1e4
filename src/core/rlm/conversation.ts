import { RlmError } from '../errors';
import { KeptSession } from '../sandbox/keptSession';
import type { HistoryEntry, SandboxProvider } from '../sandbox/types';
import { newConversationId } from '../trace/ids';
import type { RunEndEvent, RunStatus } from '../trace/types';
import type { WorkspaceAccess } from '../workspace/types';
import { earlierQuestions, idleText, replNoteText, type ReplNote } from './conversationPrompt';
import { Run, type RunEnv } from './run';
import { conversationSystemPrompt } from './systemPrompt';
import { DEFAULT_CONVERSATION, type ConversationLink, type Prepared, type RunOptions } from './types';

export { DEFAULT_CONVERSATION };

/** Characters of one answer or question kept in the REPL's `history`. */
export const HISTORY_TEXT_CHARS = 100_000;

/** One question of a conversation, once it ended. */
export interface ConversationTurn {
  runId: string;
  question: string;
  status: RunStatus;
  /** Absent when the question ended without one. */
  answer?: string;
  reason?: string;
}

/** Something the host should show the user about the conversation itself (not about one run):
 *  `released` when the idle time-out let the REPL go, `restarted` when the next question starts
 *  with a fresh REPL after that (or after a stopped cell killed the REPL's process). */
export interface ConversationNotice {
  conversationId: string;
  kind: 'released' | 'restarted';
  message: string;
}

export interface ConversationOptions {
  /** The workspace, or the scan: run inside the conversation's first question (and again in the
   *  first question after an idle release), so a failed scan ends that question with run.end. */
  workspace: Prepared<WorkspaceAccess>;
  /** The sandbox pool (or the step that gets it): the conversation's REPL and every child run's
   *  fresh sessions come from it. The conversation never disposes it. */
  sandbox: Prepared<SandboxProvider>;
  /** See DEFAULT_CONVERSATION.idleMs; Infinity (or 0) = never released. */
  idleMs?: number;
  /** See DEFAULT_CONVERSATION.answerChars. */
  answerChars?: number;
  /** To continue a conversation reopened from history: its id and its earlier questions. Its first
   *  new question starts a new REPL (the model is told; `history` holds the earlier answers). */
  id?: string;
  turns?: readonly ConversationTurn[];
  onNotice?: (notice: ConversationNotice) => void;
}

/** What a question takes: a run's options without the workspace (the conversation's). */
export type QuestionOptions = Omit<RunOptions, 'workspace'>;

/**
 * A sequence of questions over one workspace and one REPL that persists between them. Each
 * question is its own `Run` (own id, run.start..run.end, trace and history entry) whose run.start
 * carries `conversationId`, `questionIndex` and `repl`. One question at a time; a failed or
 * cancelled question does not end the conversation. After `idleMs` without a question the REPL's
 * process and the scanned workspace are released; the next question starts a fresh REPL (and
 * scans again), and both the model and the user (`onNotice`) are told.
 */
export class Conversation {
  readonly id: string;
  private readonly history: ConversationTurn[];
  private readonly idleMs: number;
  private readonly answerChars: number;
  private kept: KeptSession | undefined;
  private workspace: WorkspaceAccess | undefined;
  /** What the next question's REPL note says when there is no kept REPL. */
  private fresh: ReplNote = { repl: 'new' };
  private running: Run | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly ended = new AbortController();

  constructor(private readonly options: ConversationOptions) {
    this.id = options.id ?? newConversationId();
    this.history = [...(options.turns ?? [])];
    this.idleMs = options.idleMs && options.idleMs > 0 ? options.idleMs : Infinity;
    this.answerChars = Math.max(100, options.answerChars ?? DEFAULT_CONVERSATION.answerChars);
  }

  /** True while a question runs (from `ask` until its run ended). */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** The questions that ended, oldest first. */
  get turns(): readonly ConversationTurn[] {
    return this.history;
  }

  /** The workspace the REPL works on, once the current REPL's first question scanned it. */
  get scanned(): WorkspaceAccess | undefined {
    return this.workspace;
  }

  /** True while a REPL is held (between questions: until the idle time-out or `dispose`). */
  get holdsRepl(): boolean {
    return this.kept !== undefined;
  }

  /**
   * The next question as a Run (not started: the host keys its feed by `run.id`, then calls
   * `run.start()` at once). Refused (throws an RlmError coded `conversation-busy`, before any run
   * exists) while another question of this conversation runs, or `conversation-ended` after dispose.
   */
  ask(options: QuestionOptions, env: Omit<RunEnv, 'sandbox' | 'conversation'> = {}): Run {
    if (this.ended.signal.aborted) throw new RlmError('This conversation has ended; start a new one.', 'conversation-ended');
    if (this.running) {
      throw new RlmError('A question of this conversation is still running: wait for its answer or cancel it, then ask again.', 'conversation-busy');
    }
    this.stopIdleTimer();
    const signal = options.signal ? AbortSignal.any([options.signal, this.ended.signal]) : this.ended.signal;
    const run = new Run({ ...options, signal, workspace: this.options.workspace }, { ...env, sandbox: this.options.sandbox, conversation: this.link(options.question) });
    this.running = run;
    return run;
  }

  private link(question: string): ConversationLink {
    const index = this.history.length + 1;
    let done = false;
    return {
      id: this.id,
      index,
      workspace: async (signal) => {
        this.workspace ??= await prepared(this.options.workspace, signal);
        return this.workspace;
      },
      begin: (pool) => {
        const state = this.kept?.state ?? 'none';
        const note: ReplNote = state === 'kept' ? { repl: 'kept' } : state === 'lost' ? { repl: 'restarted', stopped: true } : this.fresh;
        if (note.repl === 'restarted') this.notify('restarted', replNoteText(note));
        this.kept ??= new KeptSession(pool);
        this.kept.setHistory(this.entries());
        const user = earlierQuestions(this.entries(), note, this.answerChars);
        return { repl: note.repl, session: this.kept, preface: { system: conversationSystemPrompt(), user: user || undefined } };
      },
      end: (event: RunEndEvent | undefined) => {
        if (done) return;
        done = true;
        this.history.push({
          runId: this.running?.id ?? '',
          question,
          status: event?.status ?? 'failed',
          answer: event?.answer,
          reason: event?.reason,
        });
        this.kept?.setHistory(this.entries());
        // Once a REPL opened, the next question's note comes from it, not from an earlier release.
        if (this.kept && this.kept.state !== 'none') this.fresh = { repl: 'new' };
        this.running = undefined;
        this.startIdleTimer();
      },
    };
  }

  /** The REPL's `history`: every ended question, bounded per text. */
  private entries(): HistoryEntry[] {
    const cut = (s: string) => (s.length > HISTORY_TEXT_CHARS ? s.slice(0, HISTORY_TEXT_CHARS) : s);
    return this.history.map((t) => ({ question: cut(t.question), answer: t.answer === undefined ? null : cut(t.answer), status: t.status }));
  }

  private startIdleTimer(): void {
    this.stopIdleTimer();
    if (!Number.isFinite(this.idleMs) || this.ended.signal.aborted) return;
    this.idleTimer = setTimeout(() => void this.releaseIdle(), this.idleMs);
    this.idleTimer.unref?.();
  }

  private stopIdleTimer(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** The idle time-out: the REPL's process and the workspace (with its content cache) go. */
  private async releaseIdle(): Promise<void> {
    this.idleTimer = undefined;
    if (this.running || !this.kept) return;
    const kept = this.kept;
    this.kept = undefined;
    this.workspace = undefined;
    this.fresh = { repl: 'restarted', idleMs: this.idleMs };
    this.notify('released', `The conversation was idle for ${idleText(this.idleMs)}: its REPL was released (earlier variables are gone). The next question starts a fresh REPL; its \`history\` keeps the answers.`);
    await kept.dispose().catch(() => undefined);
  }

  private notify(kind: ConversationNotice['kind'], message: string): void {
    try {
      this.options.onNotice?.({ conversationId: this.id, kind, message });
    } catch {
      // A host's listener that throws must not break the conversation.
    }
  }

  /** Ends the conversation: a running question is cancelled, the REPL's process goes. */
  async dispose(): Promise<void> {
    this.stopIdleTimer();
    this.ended.abort();
    const kept = this.kept;
    this.kept = undefined;
    this.workspace = undefined;
    await kept?.dispose();
  }
}

async function prepared<T>(step: Prepared<T>, signal: AbortSignal): Promise<T> {
  return typeof step === 'function' ? (step as (signal: AbortSignal) => Promise<T>)(signal) : step;
}
