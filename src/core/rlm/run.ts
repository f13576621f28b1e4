import { RlmError } from '../errors';
import { costCapProblem } from '../llm/usage';
import type { SandboxProvider } from '../sandbox/types';
import { newRunId } from '../trace/ids';
import { runLoop, type LoopOutcome, type LoopParams } from './rootLoop';
import { RunState } from './runState';
import { excerpt } from './subcalls';
import { textWorkspace } from './textWorkspace';
import { DEFAULT_BUDGETS, DEFAULT_TURN_LIMITS, type Budgets, type RunOptions, type RunResult } from './types';

export interface RunEnv {
  sandbox: SandboxProvider;
  /** Secrets (API keys) to scrub from every trace event. */
  secrets?: string[];
}

/** Child runs get fewer turns at each depth, so recursion cannot run away. */
export function childIterations(parentMax: number): number {
  return Math.max(3, Math.floor(parentMax / 2));
}

/** Runs one Recursive Language Model over a workspace, streaming trace events as it works. */
export async function runRlm(options: RunOptions, env: RunEnv): Promise<RunResult> {
  const budgets: Budgets = { ...DEFAULT_BUDGETS, ...defined(options.budgets ?? {}) };
  // A cost cap with an unpriced model would silently not apply: refuse the run before any request.
  const unpriced = costCapProblem(budgets.maxCostUsd, options.prices ?? {}, [options.rootModel.id, options.subModel.id]);
  if (unpriced) throw new RlmError(unpriced, 'unpriced-model');
  const runId = newRunId();
  const state = new RunState(runId, budgets, options.prices ?? {}, options.onEvent, env.secrets ?? [], options.signal);
  const rootId = state.emit({
    type: 'run.start',
    runId,
    question: options.question,
    scope: options.scope,
    depth: 1,
    rootModel: options.rootModel.id,
    subModel: options.subModel.id,
    workspace: {
      root: options.workspace.context.root,
      files: options.workspace.context.totals.files,
      bytes: options.workspace.context.totals.bytes,
    },
  });

  const loop = (
    depth: number,
    maxIterations: number,
    nodeId: string,
    signal: AbortSignal,
    over: Pick<LoopParams, 'question' | 'workspace' | 'scope'>,
  ) =>
    runLoop({
      state,
      sandbox: env.sandbox,
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
  // with its calling cell, and at most CHILD_RUNS_PER_DEPTH run at once at each depth (one limiter
  // per depth, so a child waiting on its own children never holds a slot they need).
  const startChild = (depth: number, parentMax: number) =>
    async (prompt: string, text: string | undefined, parentId: string, cellSignal: AbortSignal): Promise<string> => {
      const signal = AbortSignal.any([cellSignal, state.signal]);
      return state.childSlots(depth).run(async () => {
        const started = Date.now();
        const childId = state.emit({ type: 'child.start', parentId, depth, prompt: excerpt(prompt) });
        const workspace = text === undefined ? options.workspace : await textWorkspace(text);
        const outcome = await loop(depth, childIterations(parentMax), childId, signal, { question: prompt, workspace });
        state.emit({ type: 'run.end', parentId: childId, ...summary(state, outcome, started) });
        if (outcome.answer === undefined) throw new RlmError(`The child run ended without an answer: ${outcome.reason ?? outcome.status}.`, 'child-failed');
        return outcome.answer;
      }, signal);
    };

  try {
    const outcome = await loop(1, budgets.maxIterations, rootId, state.signal, options);
    const end = summary(state, outcome, state.startedAt);
    state.emit({ type: 'run.end', parentId: rootId, ...end });
    return { runId, ...end };
  } finally {
    state.dispose();
  }
}

/** What a run (or a child run) ended with: its outcome plus the state's counters so far. */
function summary(state: RunState, outcome: LoopOutcome, startedAt: number): Omit<RunResult, 'runId'> {
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
