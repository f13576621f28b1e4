import { RlmError, safeMessage } from '../errors';
import { costCapProblem } from '../llm/usage';
import type { SandboxProvider } from '../sandbox/types';
import { newRunId } from '../trace/ids';
import type { Outcome, ReplState, RunEndEvent } from '../trace/types';
import type { WorkspaceAccess } from '../workspace/types';
import { runLoop, type LoopParams } from './rootLoop';
import { RunState } from './runState';
import { excerpt } from './subcalls';
import { textWorkspace } from './textWorkspace';
import { DEFAULT_BUDGETS, DEFAULT_TURN_LIMITS, type Budgets, type ConversationLink, type Preface, type Prepared, type RunOptions } from './types';

export interface RunEnv {
  /** The sandbox, or the step that starts it (run inside the run: a failure ends it with run.end). */
  sandbox: Prepared<SandboxProvider>;
  /** Secrets (API keys) to scrub from every trace event. */
  secrets?: string[];
  /** Set by `Conversation.ask` only: the run is one question of that conversation (its workspace
   *  and kept REPL replace `options.workspace` and a fresh top session). */
  conversation?: ConversationLink;
}

/** Child runs get fewer turns at each depth, so recursion cannot run away. */
export function childIterations(parentMax: number): number {
  return Math.max(3, Math.floor(parentMax / 2));
}

/**
 * One Recursive Language Model run over a workspace, from its id to its end. The id exists before
 * any event, so a host keys its feed and history by it from the start. `start()` prepares (scan,
 * sandbox), emits run.start, runs the root loop and always emits run.end last, whatever failed.
 */
export class Run {
  /** Minted here and nowhere else. */
  readonly id = newRunId();

  constructor(
    private readonly options: RunOptions,
    private readonly env: RunEnv,
  ) {}

  /** Runs to the end and resolves to the run.end event (as redacted for the trace). It does not
   *  reject once the run exists; only budgets no run can use (a concurrency that is not a positive
   *  integer: a caller's bug; the CLI checks its flag) throw, before any event. */
  async start(): Promise<RunEndEvent> {
    const { options, env } = this;
    const budgets: Budgets = { ...DEFAULT_BUDGETS, ...defined(options.budgets ?? {}) };
    const state = new RunState(this.id, budgets, options.prices ?? {}, options.onEvent, env.secrets ?? [], options.signal);
    const link = env.conversation;
    let rootId: string | undefined;
    let outcome: Outcome & { iterations: number };
    let end: RunEndEvent | undefined;
    try {
      try {
        // A cost cap with an unpriced model would silently not apply: refuse the run before any request.
        const unpriced = costCapProblem(budgets.maxCostUsd, options.prices ?? {}, [options.rootModel.id, options.subModel.id]);
        if (unpriced) throw new RlmError(unpriced, 'unpriced-model');
        const workspace = await prepare(link ? link.workspace : options.workspace, state);
        if (!link) {
          rootId = this.emitStart(state, workspace);
          const sandbox = await prepare(env.sandbox, state);
          outcome = await this.loop(state, budgets, { root: sandbox, child: sandbox }, rootId, workspace);
        } else {
          // A conversation's question: the sandbox pool first, since the kept REPL (and so the
          // REPL state run.start records) comes from it.
          const pool = await prepare(env.sandbox, state);
          const turn = link.begin(pool);
          rootId = this.emitStart(state, workspace, turn.repl);
          outcome = await this.loop(state, budgets, { root: turn.session, child: pool }, rootId, workspace, turn.preface);
        }
      } catch (err) {
        rootId ??= this.emitStart(state, undefined);
        outcome = failed(state, err);
      }
      end = state.send({ type: 'run.end', parentId: rootId, ...summary(state, outcome, state.startedAt) });
      return end;
    } finally {
      state.dispose();
      link?.end(end);
    }
  }

  private emitStart(state: RunState, workspace: WorkspaceAccess | undefined, repl?: ReplState): string {
    const { options } = this;
    const link = this.env.conversation;
    const totals = workspace?.context.totals;
    return state.emit({
      type: 'run.start',
      runId: this.id,
      question: options.question,
      scope: options.scope,
      depth: 1,
      rootModel: options.rootModel.id,
      subModel: options.subModel.id,
      workspace: workspace && totals ? { root: workspace.context.root, files: totals.files, bytes: totals.bytes } : undefined,
      ...(link ? { conversationId: link.id, questionIndex: link.index, repl: repl ?? 'new' } : {}),
    });
  }

  /** `sandbox.root` opens the top loop's session (a conversation's kept REPL, or the pool),
   *  `sandbox.child` every child run's. */
  private loop(
    state: RunState,
    budgets: Budgets,
    sandbox: { root: SandboxProvider; child: SandboxProvider },
    rootId: string,
    workspace: WorkspaceAccess,
    preface?: Preface,
  ): Promise<Outcome & { iterations: number }> {
    const { options } = this;
    const loop = (
      depth: number,
      maxIterations: number,
      nodeId: string,
      signal: AbortSignal,
      over: Pick<LoopParams, 'question' | 'workspace' | 'scope' | 'preface'>,
    ) =>
      runLoop({
        state,
        sandbox: depth === 1 ? sandbox.root : sandbox.child,
        ...over,
        rootModel: options.rootModel,
        subModel: options.subModel,
        depth,
        maxIterations,
        sandboxLimits: options.sandboxLimits ?? {},
        turnLimits: { ...DEFAULT_TURN_LIMITS, ...defined(options.turnLimits ?? {}) },
        nodeId,
        signal,
        limited: depth > 1,
        startChild: depth < budgets.maxDepth ? startChild(depth + 1, maxIterations) : undefined,
      });

    // rlm_query at a depth that allows it: a nested loop with its own REPL and fewer turns. It stops
    // with its calling cell, and at most CHILD_RUNS_PER_DEPTH run at once at each depth (one
    // semaphore per depth, so a child waiting on its own children never holds a slot they need).
    const startChild = (depth: number, parentMax: number) =>
      async (prompt: string, text: string | undefined, parentId: string, cellSignal: AbortSignal): Promise<string> => {
        const signal = AbortSignal.any([cellSignal, state.signal]);
        return state.childSlots(depth).run(async () => {
          const started = Date.now();
          const childId = state.emit({ type: 'child.start', parentId, depth, prompt: excerpt(prompt) });
          let outcome: Outcome & { iterations: number };
          try {
            const childWorkspace = text === undefined ? workspace : await textWorkspace(text);
            outcome = await loop(depth, childIterations(parentMax), childId, signal, { question: prompt, workspace: childWorkspace });
          } catch (err) {
            outcome = failed(state, err);
          }
          state.emit({ type: 'child.end', parentId: childId, ...summary(state, outcome, started) });
          if (outcome.answer === undefined) throw new RlmError(`The child run ended without an answer: ${outcome.reason ?? outcome.status}.`, 'child-failed');
          return outcome.answer;
        }, signal);
      };

    return loop(1, budgets.maxIterations, rootId, state.signal, { question: options.question, scope: options.scope, workspace, preface });
  }
}

/** A value given, or the step that makes it, run under the run's signal. */
async function prepare<T>(step: Prepared<T>, state: RunState): Promise<T> {
  const value = typeof step === 'function' ? await (step as (signal: AbortSignal) => Promise<T>)(state.signal) : step;
  state.check();
  return value;
}

/** The outcome of a step that threw: the run's stop reason when it has one (cancel, budget). */
function failed(state: RunState, err: unknown): Outcome & { iterations: number } {
  if (state.stop) return { status: state.stop.status, reason: state.stop.reason, iterations: 0 };
  return { status: 'failed', reason: safeMessage(err, 'Internal error in the run.'), iterations: 0 };
}

/** What a run (or a child run) ended with: its outcome plus the state's counters so far. */
function summary(state: RunState, outcome: Outcome & { iterations: number }, startedAt: number) {
  return {
    status: outcome.status,
    answer: outcome.answer,
    reason: outcome.reason,
    iterations: outcome.iterations,
    subcalls: state.subcalls,
    usage: state.usage.usage(),
    costUsd: state.usage.totalCost(),
    ms: Date.now() - startedAt,
  };
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
