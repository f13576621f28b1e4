/** What `rlm ask` and `rlm eval` set up alike: models and per-run limits from the shared options, and Ctrl-C. */
import { OpenAIChatModel } from '../core/llm/openaiModel';
import { endpointOf, type ReplyCache, withReplyCache } from '../core/llm/replyCache';
import { DEFAULT_PRICES } from '../core/llm/usage';
import type { RunOptions } from '../core/rlm/types';
import type { SandboxLimits } from '../core/sandbox/types';
import type { RunSettings } from './args';

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
