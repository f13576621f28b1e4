import { RlmError } from '../errors';
import type { ContextMap } from '../workspace/types';
import type { ChildMessage, HostMessage } from './sandboxIpc';
import type { SandboxProcess } from './process';
import { ReplyBudget, replyBytes } from './replyBudget';
import { CellCalls, type Reply } from './rpc';
import { BoundedText, escapeControls } from './text';
import type { CellResult, HistoryEntry, KillReason, SandboxLimits, SandboxSession, SandboxSessionOptions } from './types';
import { CellClock } from './cellClock';
import { SandboxTree } from './sandboxTree';
import { Watchdog } from './watchdog';

/** One run's REPL on the host side: sends cells to its sandbox process, answers the endowment
 *  calls, enforces the wall timer and the watchdog, and replaces the process after a kill. */

export interface ProcessSource {
  take(heapMb: number): Promise<SandboxProcess>;
}

/** Time the child has, after reporting a cell done, to show that nothing of the cell still runs. */
const SETTLE_MS = 3000;
/** Between cells the child should be idle; more CPU than this per second means leaked work. */
const IDLE_CPU_MS_PER_SEC = 300;
/** However long its sub-calls take, a cell never runs longer than this many cell time limits. */
const MAX_WAIT_FACTOR = 20;
/** readFile/grep calls of one sandbox in progress or waiting to be written, at most: each holds
 *  this share of the reply budget (or its reply's size, if larger) until its reply is written. Also
 *  bounds how many completions (each decoding a file) can land in one turn of the event loop. */
const HOST_CALLS_AT_ONCE = 4;

type Done = Extract<ChildMessage, { t: 'done' }>;
type Outcome = Omit<CellResult, 'durationMs' | 'variablesLost'>;

const RESTART_NOTE =
  '[The sandbox was restarted after the previous cell was stopped: variables from earlier cells are lost. ' +
  '`context` and the REPL functions are still available.]';

function killMessage(reason: KillReason, limits: SandboxLimits): string {
  const lost = 'The sandbox was restarted and all REPL variables are lost.';
  switch (reason) {
    case 'timeout':
      return `Killed: the cell ran longer than the ${limits.cellTimeoutMs / 1000} s limit (time spent waiting for sub-calls does not count; waiting for readFile and grep does). ${lost}`;
    case 'memory':
      return `Killed: the cell used more memory than allowed (heap ${limits.heapMb} MB, resident ${limits.rssMb} MB; all sandboxes of this run and its child runs together ${limits.treeRssMb} MB). ${lost}`;
    case 'cpu':
      return `Killed: code kept running after the cell ended (an un-awaited promise chain or loop). ${lost}`;
    case 'cancelled':
      return `Cancelled: the cell was stopped. ${lost}`;
    default:
      return `The sandbox process crashed. ${lost}`;
  }
}

// A large map takes tens of milliseconds to serialise on the host's thread: do it once per map.
const contextCache = new WeakMap<object, string>();
function contextJson(context: ContextMap): string {
  let json = contextCache.get(context);
  if (json === undefined) {
    json = JSON.stringify(context);
    contextCache.set(context, json);
  }
  return json;
}

const OOM = /heap out of memory|Reached heap limit|Allocation failed|Fatal process out of memory/i;

export class Session implements SandboxSession {
  private proc: SandboxProcess | undefined;
  private watchdog: Watchdog | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  private index = 0;
  private disposed = false;
  /** Set when the process died; the next cell runs in a fresh one and says so. */
  private restartPending = false;
  /** Stops the running cell (dispose, watchdog); undefined between cells. */
  private stopCell: ((reason: KillReason) => void) | undefined;
  /** Replies held for this sandbox process (see ReplyBudget); shared by its cells, since an ended
   *  cell's replies may still be leaving. A fresh process gets a fresh budget. */
  replies: ReplyBudget;
  private readonly tree: SandboxTree;
  /** The REPL's `history`, sent again to a fresh process. */
  private history: HistoryEntry[] = [];

  constructor(
    private readonly source: ProcessSource,
    private readonly options: SandboxSessionOptions,
    private readonly limits: SandboxLimits,
    private readonly onDispose: (s: Session) => void,
  ) {
    this.replies = new ReplyBudget(limits.replyQueueMb * 1024 * 1024);
    this.tree = options.tree ?? new SandboxTree();
  }

  async start(): Promise<void> {
    const proc = await this.source.take(this.limits.heapMb);
    if (this.disposed) {
      proc.kill();
      throw new RlmError('the sandbox session is closed', 'sandbox-closed');
    }
    proc.ref();
    this.replies = new ReplyBudget(this.limits.replyQueueMb * 1024 * 1024);
    proc.send({ t: 'open', contextJson: contextJson(this.options.workspace.context), limits: this.limits });
    if (this.history.length) proc.send({ t: 'history', entries: this.history });
    const watchdog = new Watchdog(proc.pid ?? -1, {
      rssMb: this.limits.rssMb,
      overTree: (rssMb) => this.tree.report(this, rssMb, this.limits.treeRssMb),
      idleCpuMsPerSec: IDLE_CPU_MS_PER_SEC,
      onBreach: (reason) => (this.stopCell ? this.stopCell(reason) : proc.kill()),
    });
    watchdog.start(false);
    proc.onExit(() => {
      watchdog.stop();
      this.tree.leave(this);
      if (!this.disposed) this.restartPending = true;
    });
    this.proc = proc;
    this.watchdog = watchdog;
  }

  setHistory(entries: readonly HistoryEntry[]): void {
    this.history = entries.map((e) => ({ question: String(e.question), answer: e.answer === null ? null : String(e.answer), status: String(e.status) }));
    if (this.proc?.alive) this.proc.send({ t: 'history', entries: this.history });
  }

  get replLost(): boolean {
    return this.restartPending || (this.proc !== undefined && !this.proc.alive);
  }

  runCell(code: string, signal?: AbortSignal): Promise<CellResult> {
    const next = this.queue.then(() => this.runOne(code, signal));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runOne(code: string, signal?: AbortSignal): Promise<CellResult> {
    if (this.disposed) throw new RlmError('the sandbox session is closed', 'sandbox-closed');
    const started = performance.now();
    if (signal?.aborted) return { output: '', error: 'Cancelled before the cell started.', killed: 'cancelled', durationMs: 0 };
    let variablesLost = false;
    if (!this.proc?.alive) {
      variablesLost = this.restartPending;
      this.restartPending = false;
      await this.start();
    }
    const outcome = await this.execute(this.proc!, String(code), signal);
    const result: CellResult = { ...outcome, durationMs: performance.now() - started };
    if (variablesLost) {
      result.variablesLost = true;
      result.output = RESTART_NOTE + (result.output ? '\n' + result.output : '');
    }
    return result;
  }

  private execute(proc: SandboxProcess, code: string, signal?: AbortSignal): Promise<Outcome> {
    const id = this.nextId++;
    const index = ++this.index;
    const limits = this.limits;
    const calls = new CellCalls(this.options, limits);
    const streamed = new BoundedText(limits.outputChars);
    return new Promise<Outcome>((resolve) => {
      let done: Done | undefined;
      let killReason: KillReason | undefined;
      let settled = false;
      const timers: NodeJS.Timeout[] = [];

      const finish = (outcome: Outcome) => {
        if (settled) return;
        settled = true;
        for (const t of timers) clearTimeout(t);
        clock.stop();
        offMessage();
        offExit();
        signal?.removeEventListener('abort', onAbort);
        calls.close();
        this.stopCell = undefined;
        this.watchdog?.start(false);
        resolve(outcome);
      };
      const kill = (reason: KillReason) => {
        if (settled || killReason) return;
        killReason = reason;
        proc.kill();
        // The exit event normally follows at once; do not hang if it does not.
        timers.push(setTimeout(onExit, 2000));
      };
      const onExit = () => {
        if (settled) return;
        const reason = killReason ?? (OOM.test(proc.stderr) ? 'memory' : 'crash');
        const outcome: Outcome = {
          output: done ? escapeControls(done.output) : streamed.toString(),
          error: (done?.error ? escapeControls(done.error) + '\n' : '') + killMessage(reason, limits),
          killed: reason,
        };
        if (done?.final !== undefined) outcome.final = { value: escapeControls(done.final) };
        finish(outcome);
      };
      const onAbort = () => kill('cancelled');

      const offMessage = proc.onMessage((m) => {
        if ((m as { cell?: unknown }).cell !== id) return;
        switch (m.t) {
          case 'out':
            if (!done && typeof m.text === 'string') streamed.append(escapeControls(m.text));
            break;
          case 'call': {
            if (done) break;
            // Waiting for a model is not the cell's time; waiting for readFile and grep is.
            const hostWork = m.op === 'readFile' || m.op === 'grep';
            if (!hostWork) clock.callStarted();
            void this.answer(proc, calls, m.op, m.args, hostWork, (reply) => {
              if (settled || done) return false;
              if (!hostWork) clock.callEnded();
              return { t: 'reply', cell: id, id: Number(m.id), ...reply };
            });
            break;
          }
          case 'done':
            if (done) break;
            done = {
              t: 'done',
              cell: id,
              output: typeof m.output === 'string' ? m.output : '',
              error: typeof m.error === 'string' ? m.error : undefined,
              final: typeof m.final === 'string' ? m.final : undefined,
            };
            calls.close();
            clock.stop();
            timers.push(setTimeout(() => kill('cpu'), SETTLE_MS));
            break;
          case 'idle':
            if (!done) break;
            finish({
              output: escapeControls(done.output),
              ...(done.error !== undefined ? { error: escapeControls(done.error) } : {}),
              ...(done.final !== undefined ? { final: { value: escapeControls(done.final) } } : {}),
            });
            break;
          default:
            break;
        }
      });
      const offExit = proc.onExit(onExit);
      signal?.addEventListener('abort', onAbort, { once: true });
      // Waiting for sub-calls does not count against the cell (see CellClock); a hard cap bounds it.
      const clock = new CellClock(limits.cellTimeoutMs, proc.pid, () => kill('timeout'));
      timers.push(setTimeout(() => kill('timeout'), limits.cellTimeoutMs * MAX_WAIT_FACTOR));
      this.stopCell = kill;
      this.watchdog?.start(true, (cpuMs) => clock.sample(cpuMs));
      proc.send({ t: 'cell', id, index, code });
    });
  }

  /** Answers one endowment call under the session's reply budget: a readFile or grep starts only
   *  once its reservation fits, and every reply is counted until the channel has written it. */
  private async answer(
    proc: SandboxProcess,
    calls: CellCalls,
    op: unknown,
    args: unknown,
    hostWork: boolean,
    message: (reply: Reply) => HostMessage | false,
  ): Promise<void> {
    // This process's budget: a write that never completes (the process was killed) holds only it.
    const budget = this.replies;
    let held = 0;
    try {
      if (hostWork) {
        const share = Math.ceil(budget.maxBytes / HOST_CALLS_AT_ONCE);
        await budget.reserve(share, calls.signal);
        held = share;
      }
      const reply = await calls.handle(op, args);
      const msg = message(reply);
      if (!msg) return;
      // A readFile/grep keeps its share until its reply is written (or its real size, if larger),
      // so that no more than HOST_CALLS_AT_ONCE replies are built or queued at once.
      const bytes = Math.max(held, replyBytes(reply));
      budget.add(bytes - held);
      held = 0;
      proc.send(msg, () => budget.release(bytes));
    } catch {
      // The cell ended while the call waited for room: nothing to answer.
    } finally {
      budget.release(held);
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.stopCell?.('cancelled');
    this.watchdog?.stop();
    this.proc?.kill();
    this.onDispose(this);
  }
}
