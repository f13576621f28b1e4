import { RlmError } from '../errors';
import { SandboxTree } from './sandboxTree';
import type { HistoryEntry, SandboxProvider, SandboxSession, SandboxSessionOptions, SubcallHost } from './types';

/**
 * A REPL that outlives runs: a conversation's one session, lent to one run at a time. It is a
 * `SandboxProvider` for the top loop of each question: `openSession` opens the session from the
 * pool the first time and afterwards hands back the same one, bound to that run (its sub-call host
 * and its `SandboxTree`, so budgets, trace and the tree-wide memory limit are the run's). Disposing
 * the lease only unbinds it: the process and its variables stay until `dispose()` (the
 * conversation's end, `/new`, or the idle time-out). Child runs do not come here; they open fresh
 * sessions from the pool.
 */
export class KeptSession implements SandboxProvider {
  private session: SandboxSession | undefined;
  private opening: Promise<SandboxSession> | undefined;
  private lease: Lease | undefined;
  private history: readonly HistoryEntry[] = [];
  private readonly tree = new LentTree();
  private disposed = false;

  constructor(private readonly pool: SandboxProvider) {}

  /** `none`: no REPL opened yet; `kept`: the next lease keeps its variables; `lost`: its process
   *  died (a stopped cell, a crash), so the next cell runs in a fresh REPL. */
  get state(): 'none' | 'kept' | 'lost' {
    if (!this.session) return 'none';
    return this.session.replLost ? 'lost' : 'kept';
  }

  /** The REPL's `history` from now on (sent to the process now, and again after a restart). */
  setHistory(entries: readonly HistoryEntry[]): void {
    this.history = entries;
    this.session?.setHistory(entries);
  }

  /** The kept session, bound to the caller's run until the returned lease is disposed. One lease at
   *  a time: the conversation runs one question at a time. */
  async openSession(options: SandboxSessionOptions): Promise<SandboxSession> {
    if (this.disposed) throw new RlmError('the conversation has ended', 'sandbox-closed');
    if (this.lease) throw new RlmError('the conversation REPL is in use by another question', 'conversation-busy');
    const lease = new Lease(this, options.subcalls);
    this.lease = lease;
    this.tree.lend(options.tree);
    try {
      const session = this.session ?? (await this.open(options));
      if (this.disposed || lease.released) throw new RlmError('the conversation has ended', 'sandbox-closed');
      lease.session = session;
      return lease;
    } catch (err) {
      this.release(lease);
      throw err;
    }
  }

  private open(options: SandboxSessionOptions): Promise<SandboxSession> {
    this.opening ??= this.pool
      .openSession({ ...options, subcalls: this.subcalls, tree: this.tree })
      .then((session) => {
        session.setHistory(this.history);
        if (this.disposed) void session.dispose();
        else this.session = session;
        return session;
      })
      .finally(() => (this.opening = undefined));
    return this.opening;
  }

  /** Sub-calls go to the run holding the lease; a call with none (a cell cannot run without one)
   *  is refused. */
  private readonly subcalls: SubcallHost = {
    llmQuery: (prompt, options, signal) => this.host().llmQuery(prompt, options, signal),
    rlmQuery: (prompt, text, signal) => this.host().rlmQuery(prompt, text, signal),
  };

  private host(): SubcallHost {
    if (!this.lease) throw new RlmError('no question of this conversation is running', 'no-run');
    return this.lease.subcalls;
  }

  /** @internal Called by a lease's dispose(). */
  release(lease: Lease): void {
    if (this.lease !== lease) return;
    lease.released = true;
    this.lease = undefined;
    this.tree.lend(undefined);
  }

  /** Ends the REPL (its process is killed); the next `openSession` would refuse. */
  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.lease) this.release(this.lease);
    const session = this.session;
    this.session = undefined;
    await session?.dispose();
  }
}

/** One run's hold on the kept session. */
class Lease implements SandboxSession {
  session: SandboxSession | undefined;
  released = false;

  constructor(
    private readonly owner: KeptSession,
    readonly subcalls: SubcallHost,
  ) {}

  runCell(code: string, signal?: AbortSignal) {
    if (this.released || !this.session) return Promise.reject(new RlmError('the sandbox session is closed', 'sandbox-closed'));
    return this.session.runCell(code, signal);
  }

  setHistory(entries: readonly HistoryEntry[]): void {
    this.owner.setHistory(entries);
  }

  get replLost(): boolean {
    return this.session?.replLost ?? true;
  }

  /** Unbinds the run; the REPL stays. */
  async dispose(): Promise<void> {
    this.owner.release(this);
  }
}

/** The tree the kept session reports its memory to: the current run's `SandboxTree` while a lease
 *  is held (the root REPL counts toward that run tree's `treeRssMb`), none between questions. */
class LentTree extends SandboxTree {
  private tree: SandboxTree | undefined;
  private member: object | undefined;

  /** The run tree the session counts toward from now on (it leaves the previous one). */
  lend(tree: SandboxTree | undefined): void {
    if (this.member) this.tree?.leave(this.member);
    this.tree = tree;
  }

  override report(member: object, rssMb: number, limitMb: number): boolean {
    this.member = member;
    return this.tree?.report(member, rssMb, limitMb) ?? false;
  }

  override leave(member: object): void {
    this.tree?.leave(member);
  }
}
