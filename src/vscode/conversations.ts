/**
 * The conversations of this window (VS Code's Chat threads): each a core `Conversation` (one kept REPL
 * across questions), found by its id. A conversation the window no longer holds (after a reload, or
 * past the cap) is made again from the caller's earlier turns: its next question starts a fresh REPL
 * and the model is told. Each question brings its own scan step and notice listener, so a rescan after
 * an idle release reports to the question that caused it.
 */
import type { Conversation, ConversationTurn, QuestionOptions } from '../core/rlm/conversation';
import { RlmError } from '../core/errors';
import type { Run, RunEnv } from '../core/rlm/run';
import type { SandboxProvider } from '../core/sandbox/types';
import type { Workspace } from '../core/workspace/workspace';
import { readConversationConfig } from './config';
import { PathSet, type FileSet } from './panel/fileSets';

type Engine = typeof import('./engine');

/** Conversations held per window; the least recently asked one is ended past it (its REPL process goes). */
export const MAX_CONVERSATIONS = 8;

/** Which conversation a question belongs to: `id` absent = a new one. */
export interface ConversationRequest {
  id?: string;
  /** Its earlier questions, used only when the window no longer holds it. */
  turns?: readonly ConversationTurn[];
}

interface Entry {
  conversation: Conversation;
  /** The scan of the question being asked (a rescan after an idle release happens in it). */
  step: (signal: AbortSignal) => Promise<Workspace>;
  notice?: (message: string) => void;
  /** The paths of the last scan, for reference checks once the question ended. */
  files?: PathSet;
}

export interface Question {
  run: Run;
  conversationId: string;
  /** What the conversation's workspace can verify now (before a scan of this question, if any). */
  files?: FileSet;
}

export class Conversations {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly sandbox: () => Promise<SandboxProvider>,
    private readonly max = MAX_CONVERSATIONS,
  ) {}

  /** The question as a Run of its conversation (not started), or the core's refusal as an RlmError.
   *  Synchronous, so the run controller's busy claim holds until the run is shown. */
  ask(
    engine: Engine,
    req: ConversationRequest,
    step: (signal: AbortSignal) => Promise<Workspace>,
    notice: ((message: string) => void) | undefined,
    options: QuestionOptions,
    env: Omit<RunEnv, 'sandbox' | 'conversation'>,
  ): Question {
    const entry = (req.id ? this.entries.get(req.id) : undefined) ?? this.make(engine, req);
    entry.step = step;
    entry.notice = notice;
    const run = entry.conversation.ask(options, env);
    // Most recently asked last: Map keeps insertion order.
    this.entries.delete(entry.conversation.id);
    this.entries.set(entry.conversation.id, entry);
    this.trim();
    return { run, conversationId: entry.conversation.id, files: entry.conversation.scanned ?? entry.files };
  }

  /** The paths of the conversation's last scan. */
  files(id: string): PathSet | undefined {
    return this.entries.get(id)?.files;
  }

  /** `/new`: the conversation ends (a running question is cancelled, the REPL's process goes). */
  async end(id: string): Promise<void> {
    const entry = this.entries.get(id);
    this.entries.delete(id);
    await entry?.conversation.dispose();
  }

  disposeAll(): Promise<unknown> {
    const all = [...this.entries.values()];
    this.entries.clear();
    return Promise.all(all.map((e) => e.conversation.dispose().catch(() => undefined)));
  }

  private make({ Conversation }: Engine, req: ConversationRequest): Entry {
    const entry: Entry = {} as Entry;
    entry.conversation = new Conversation({
      workspace: async (signal) => {
        const ws = await entry.step(signal);
        entry.files = new PathSet(ws.context.files.map((f) => f.path));
        return ws;
      },
      sandbox: this.sandbox,
      ...readConversationConfig(),
      ...(req.id ? { id: req.id, turns: req.turns ?? [] } : {}),
      onNotice: (n) => entry.notice?.(n.message),
    });
    return entry;
  }

  private trim(): void {
    for (const [id, entry] of this.entries) {
      if (this.entries.size <= this.max) return;
      if (entry.conversation.busy) continue;
      this.entries.delete(id);
      void entry.conversation.dispose().catch(() => undefined);
    }
  }
}

/** A conversation's refusal (a question of it still runs) as the message to show. */
export function conversationRefusal(err: unknown): string | undefined {
  return err instanceof RlmError && (err.code === 'conversation-busy' || err.code === 'conversation-ended') ? err.message : undefined;
}
