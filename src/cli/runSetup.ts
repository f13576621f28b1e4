/** What `rlm ask`, `rlm chat` and `rlm eval` set up alike: models and per-run limits from the shared
 *  options, Ctrl-C, the workspace scan and the event sink. */
import { basename } from 'node:path';
import { OpenAIChatModel } from '../core/llm/openaiModel';
import { endpointOf, type ReplyCache, withReplyCache } from '../core/llm/replyCache';
import { DEFAULT_PRICES } from '../core/llm/usage';
import type { RunOptions } from '../core/rlm/types';
import type { SandboxLimits } from '../core/sandbox/types';
import type { TrajectoryWriter } from '../core/trace/trajectory';
import type { TraceEvent } from '../core/trace/types';
import { NodeFileSource, scanWorkspace, type Workspace } from '../core/workspace';
import { structureLimits, type RunSettings } from './args';
import { HEARTBEAT_MS, progressLine, SubcallMilestones, SubcallProgress } from './progress';

/** `cache`: the reply cache the models read and fill (`rlm ask`; the eval measures real calls and passes none). */
export function runInputs(o: RunSettings, cache?: ReplyCache): Pick<RunOptions, 'rootModel' | 'subModel' | 'budgets' | 'sandboxLimits' | 'turnLimits' | 'prices'> {
  const model = (id: string) => {
    const m = new OpenAIChatModel({ baseURL: o.baseURL, apiKey: o.apiKey, model: id });
    return cache ? withReplyCache(m, cache, endpointOf(o.baseURL), o.apiKey ? [o.apiKey] : []) : m;
  };
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
      structure: structureLimits(o),
      signal,
    });
    const t = workspace.context.totals;
    log(`${t.files} files, ${t.lines} lines (${t.skipped} skipped); asking ${o.model} at ${new URL(o.baseURL).host}`);
    return workspace;
  };
}

/** Progress for the events: a function taking each event, and stop() to end its heartbeat. */
export interface EventSink {
  (e: TraceEvent): void;
  stop(): void;
}

/** A run's events: appended to --trace as they happen (one synchronous line each, so a killed CLI
 *  leaves a readable file), and the interesting ones as progress lines; while sub-calls are in
 *  flight, a heartbeat line every HEARTBEAT_MS (RLM_PROGRESS_INTERVAL_MS: tests shorten it). */
export function eventSink(trace: TrajectoryWriter | undefined, log: (line: string) => void): EventSink {
  const milestones = new SubcallMilestones();
  const subcalls = new SubcallProgress();
  const every = Number(process.env.RLM_PROGRESS_INTERVAL_MS) > 0 ? Number(process.env.RLM_PROGRESS_INTERVAL_MS) : HEARTBEAT_MS;
  const heartbeat = setInterval(() => {
    const line = subcalls.heartbeat();
    if (line) log(line);
  }, every);
  heartbeat.unref();
  const sink = ((e: TraceEvent) => {
    trace?.append(e);
    const batch = subcalls.note(e);
    const line = progressLine(e) ?? milestones.note(e);
    if (line) log(line);
    if (batch) log(batch);
  }) as EventSink;
  sink.stop = () => clearInterval(heartbeat);
  return sink;
}
