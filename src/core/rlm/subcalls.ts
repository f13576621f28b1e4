import { RlmError } from '../errors';
import type { ChatMessage, ChatModel } from '../llm/types';
import type { BatchItem, SubcallHost } from '../sandbox/types';
import type { Replay } from './replay';
import { retryHook } from './replyStream';
import type { RunState } from './runState';

/** Bounded excerpt of a prompt or reply kept in the trace. */
export const TRACE_EXCERPT_CHARS = 4_000;

export function excerpt(text: string, max = TRACE_EXCERPT_CHARS): string {
  if (text.length <= max) return text;
  const half = Math.floor(max / 2);
  return `${text.slice(0, half)}\n[... ${text.length - max} characters cut ...]\n${text.slice(-half)}`;
}

export interface SubcallContext {
  state: RunState;
  rootModel: ChatModel;
  subModel: ChatModel;
  /** Trace node the current cell's sub-calls hang under. */
  parentId: () => string;
  /** Starts a child RLM (depth permitting); undefined when sub-calls must stay plain model calls. */
  startChild?: (prompt: string, text: string | undefined, parentId: string, signal: AbortSignal) => Promise<string>;
  /** A resumed run's recorded sub-call replies (after the reply cache). */
  replay?: Replay;
}

/** The host side of llm_query / llm_batch / rlm_query for one run: budgets, model slots, trace. */
export function subcallHost(ctx: SubcallContext): SubcallHost {
  const pickModel = (name?: string): ChatModel => {
    if (name === undefined || name === ctx.subModel.id) return ctx.subModel;
    if (name === ctx.rootModel.id) return ctx.rootModel;
    throw new RlmError(`Unknown model "${name}": use "${ctx.subModel.id}" (default) or "${ctx.rootModel.id}".`, 'unknown-model');
  };

  const llmQuery = async (prompt: string, model: ChatModel, kind: 'llm_query' | 'llm_batch' | 'rlm_query', signal: AbortSignal, item?: BatchItem) => {
    const { state } = ctx;
    state.chargeSubcall();
    const started = Date.now();
    const id = state.emit({
      type: 'subcall.start',
      parentId: ctx.parentId(),
      kind,
      model: model.id,
      prompt: excerpt(prompt),
      promptChars: prompt.length,
      ...(item && { batch: { id: item.id, index: item.index, size: item.size } }),
      ...(item?.label !== undefined && { label: item.label }),
    });
    const both = AbortSignal.any([signal, state.signal]);
    const messages: ChatMessage[] = [{ role: 'user', content: prompt }];
    try {
      // A cached (or, on resume, recorded) reply costs nothing: no model slot, no request, no budget but the sub-call itself.
      const hit = (await model.lookup?.(messages)) ?? ctx.replay?.subcallReply(model.id, prompt);
      if (hit) {
        state.check();
        const saved = state.recordSaved(model.id, hit.usage);
        state.emit({ type: 'subcall.end', parentId: id, subcallId: id, reply: excerpt(hit.text), replyChars: hit.text.length, cached: true, saved, costUsd: 0, ms: Date.now() - started, total: state.total() });
        return hit.text;
      }
      const completion = await state.modelSlots.run(() => {
        state.chargeModelRequest();
        return model.complete(messages, { signal: both, onRetry: retryHook(state, id, model.id) });
      }, both);
      const costUsd = state.record(model.id, completion.usage, completion.usageEstimated);
      state.emit({ type: 'subcall.end', parentId: id, subcallId: id, reply: excerpt(completion.text), replyChars: completion.text.length, usage: completion.usage, costUsd, ms: Date.now() - started, total: state.total() });
      return completion.text;
    } catch (err) {
      const message = state.stop?.reason ?? (err instanceof RlmError ? err.message : 'The sub-model call failed.');
      state.emit({ type: 'subcall.end', parentId: id, subcallId: id, error: message, ms: Date.now() - started });
      throw new RlmError(message, err instanceof RlmError ? err.code : 'subcall-failed');
    }
  };

  return {
    llmQuery: (prompt, options, signal) => llmQuery(prompt, pickModel(options.model), options.batch ? 'llm_batch' : 'llm_query', signal, options.batch),
    rlmQuery: async (prompt, text, signal) => {
      if (!ctx.startChild) {
        const full = text === undefined ? prompt : `${prompt}\n\n${text}`;
        return llmQuery(full, ctx.subModel, 'rlm_query', signal);
      }
      ctx.state.chargeSubcall();
      return ctx.startChild(prompt, text, ctx.parentId(), signal);
    },
  };
}
