/** What `rlm ask`, `rlm chat` and `rlm eval` set up alike: models and per-run limits from the shared
 *  options, Ctrl-C, the workspace scan and the event sink. */
import { basename } from 'node:path';
import { OpenAIChatModel } from '../core/llm/openaiModel';
import { DEFAULT_PRICES } from '../core/llm/usage';
import type { RunOptions } from '../core/rlm/types';
import type { SandboxLimits } from '../core/sandbox/types';
import type { TrajectoryWriter } from '../core/trace/trajectory';
import type { TraceEvent } from '../core/trace/types';
import { NodeFileSource, scanWorkspace, type Workspace } from '../core/workspace';
import type { RunSettings } from './args';
import { progressLine, SubcallMilestones } from './progress';

export function runInputs(o: RunSettings): Pick<RunOptions, 'rootModel' | 'subModel' | 'budgets' | 'sandboxLimits' | 'turnLimits' | 'prices'> {
  const model = (id: string) => new OpenAIChatModel({ baseURL: o.baseURL, apiKey: o.apiKey, model: id });
  const rootModel = model(o.model);
  return {
    rootModel,
    subModel: o.subModel === o.model ? rootModel : model(o.subModel),
    budgets: {
      maxIterations: o.maxIterations,
      maxDepth: o.maxDepth,
      maxSubcalls: o.maxSubcalls,
      maxModelRequests: o.maxModelRequests,
      maxTokens: o.maxTokens,
      maxCostUsd: o.maxCostUsd,
      maxWallMs: o.maxWallMs,
      concurrency: o.concurrency,
    },
    sandboxLimits: sandboxLimits(o),
    turnLimits: { cells: o.cellsPerTurn, outputChars: o.turnOutputChars },
    prices: { ...DEFAULT_PRICES, ...o.prices },
  };
}

/** The first Ctrl-C aborts `signal` (the command stops cleanly); a second exits at once with `exitCode`. */
export function onCtrlC(log: (line: string) => void, message: string, exitCode: number): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) process.exit(exitCode);
    log(`${message} (Ctrl-C again to quit at once)`);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}

function sandboxLimits(o: RunSettings): Partial<SandboxLimits> {
  const limits: Partial<SandboxLimits> = {};
  if (o.cellTimeoutMs) limits.cellTimeoutMs = o.cellTimeoutMs;
  if (o.sandboxMemoryMb) limits.treeRssMb = o.sandboxMemoryMb;
  if (o.replyQueueMb) limits.replyQueueMb = o.replyQueueMb;
  return limits;
}

/** The scan of `root` as a run's step (a failed or cancelled scan ends that run), saying what it found. */
export function scanStep(o: RunSettings, root: string, log: (line: string) => void): (signal: AbortSignal) => Promise<Workspace> {
  return async (signal) => {
    log(`scanning ${root}…`);
    const workspace = await scanWorkspace([{ name: basename(root), source: new NodeFileSource(root) }], {
      excludes: o.excludes,
      maskSecrets: o.maskSecrets,
      knownSecrets: o.apiKey ? [o.apiKey] : [],
      signal,
    });
    const t = workspace.context.totals;
    log(`${t.files} files, ${t.lines} lines (${t.skipped} skipped); asking ${o.model} at ${new URL(o.baseURL).host}`);
    return workspace;
  };
}

/** A run's events: appended to --trace as they happen (one synchronous line each, so a killed CLI
 *  leaves a readable file), and the interesting ones as progress lines. */
export function eventSink(trace: TrajectoryWriter | undefined, log: (line: string) => void): (e: TraceEvent) => void {
  const milestones = new SubcallMilestones();
  return (e) => {
    trace?.append(e);
    const line = progressLine(e) ?? milestones.note(e);
    if (line) log(line);
  };
}
