import { RlmError } from '../errors';
import type { ChatMessage, ChatModel } from '../llm/types';
import type { SandboxLimits, SandboxProvider, SandboxSession } from '../sandbox/types';
import { DEFAULT_SANDBOX_LIMITS } from '../sandbox/types';
import type { Outcome } from '../trace/types';
import type { WorkspaceAccess } from '../workspace/types';
import { extractCode } from './codeBlocks';
import { compactHistory, describeCell, keptReply, replyMessage } from './replMessages';
import type { RunState } from './runState';
import { excerpt, subcallHost } from './subcalls';
import { firstUserMessage } from './summary';
import { FORCED_ANSWER_PROMPT, NO_CODE_PROMPT, PYTHON_PROMPT, systemPrompt } from './systemPrompt';
import type { Preface, TurnLimits } from './types';
import { forcedAnswerText } from './forcedAnswer';
import { replyStream } from './replyStream';

/** Characters one sub-model prompt should carry, as advised to the root model. */
export const SUBCALL_GUIDE_CHARS = 100_000;

export interface LoopParams {
  state: RunState;
  sandbox: SandboxProvider;
  question: string;
  scope?: string;
  workspace: WorkspaceAccess;
  rootModel: ChatModel;
  subModel: ChatModel;
  depth: number;
  maxIterations: number;
  sandboxLimits: Partial<SandboxLimits>;
  turnLimits: TurnLimits;
  /** Trace node this loop's iterations hang under (run.start or child.start). */
  nodeId: string;
  /** Stops this loop: the state's signal, and for a child run also its calling cell's. */
  signal: AbortSignal;
  /** Child loops share the run state's model slots for their model calls; the top loop does not need to. */
  limited: boolean;
  /** A conversation's question: text added to the system prompt and before the first user message. */
  preface?: Preface;
  /** Starts a nested loop for rlm_query when depth allows. */
  startChild?: (prompt: string, text: string | undefined, parentId: string, signal: AbortSignal) => Promise<string>;
}


/** One RLM: the root model writes code, the REPL runs it, until a FINAL or a budget. */
export async function runLoop(p: LoopParams): Promise<Outcome & { iterations: number }> {
  const { state } = p;
  let cellId = p.nodeId;
  const limits = { ...DEFAULT_SANDBOX_LIMITS, ...p.sandboxLimits };
  let session: SandboxSession | undefined;
  let iterations = 0;
  try {
    const check = () => {
      state.check();
      if (p.signal.aborted) throw new RlmError('The cell that started this child run ended.', 'cancelled');
    };
    check();
    session = await p.sandbox.openSession({
      workspace: p.workspace,
      limits: p.sandboxLimits,
      tree: state.sandboxes,
      subcalls: subcallHost({ state, rootModel: p.rootModel, subModel: p.subModel, parentId: () => cellId, startChild: p.startChild }),
    });
    const messages: ChatMessage[] = [
      {
        role: 'system',
        content: systemPrompt({
          maxIterations: p.maxIterations,
          outputChars: limits.outputChars,
          subcallChars: Math.min(SUBCALL_GUIDE_CHARS, limits.promptChars),
          canRecurse: p.startChild !== undefined,
          turn: p.turnLimits,
        }) + (p.preface?.system ? `\n\n${p.preface.system}` : ''),
      },
      { role: 'user', content: (p.preface?.user ? `${p.preface.user}\n\n` : '') + firstUserMessage(p.question, p.workspace.context, p.scope) },
    ];

    const callModel = (msgs: ChatMessage[], iterId: string) => callRoot(state, p.rootModel, msgs, iterId, p.signal, p.limited);
    for (let turn = 1; turn <= p.maxIterations; turn++) {
      check();
      iterations = turn;
      const iterId = state.emit({ type: 'iteration.start', parentId: p.nodeId, iteration: turn, maxIterations: p.maxIterations });
      const reply = await callModel(compactHistory(messages), iterId);
      messages.push({ role: 'assistant', content: keptReply(reply, p.turnLimits) });
      const extracted = extractCode(reply);
      const { foreignLanguage } = extracted;
      // Blocks past the per-reply cap are not run at all (the reply says so).
      const blocks = extracted.blocks.slice(0, p.turnLimits.cells);
      const overLimit = extracted.blocks.length - blocks.length;
      if (!blocks.length) {
        messages.push({ role: 'user', content: `[turn ${turn}/${p.maxIterations}] ${foreignLanguage ? PYTHON_PROMPT : NO_CODE_PROMPT}` });
        continue;
      }
      const texts: string[] = [];
      let skipped = 0;
      for (let i = 0; i < blocks.length; i++) {
        check();
        cellId = state.emit({ type: 'cell.start', parentId: iterId, code: blocks[i] });
        const result = await session.runCell(blocks[i], p.signal);
        state.emit({
          type: 'cell.output',
          parentId: cellId,
          cellId,
          output: excerpt(result.output, limits.outputChars + 200),
          error: result.error,
          final: result.final ? true : undefined,
          killed: result.killed,
          ms: result.durationMs,
        });
        // An answer produced by execution stands even if a budget tripped during the same cell.
        if (result.final) return { status: 'answered', answer: result.final.value, iterations };
        check();
        texts.push(describeCell(i, blocks.length, result));
        if (result.error || result.killed) {
          skipped = blocks.length - i - 1;
          break;
        }
      }
      messages.push({ role: 'user', content: replyMessage(turn, p.maxIterations, texts, skipped, { ...p.turnLimits, overLimit }) });
    }

    // Out of turns: one last call for the answer, marked as forced.
    check();
    const iterId = state.emit({ type: 'iteration.start', parentId: p.nodeId, iteration: iterations + 1, maxIterations: p.maxIterations });
    const answer = await callModel([...compactHistory(messages), { role: 'user', content: FORCED_ANSWER_PROMPT }], iterId);
    return { status: 'forced', answer: forcedAnswerText(answer).trim(), reason: `Out of iterations (${p.maxIterations}); the answer was forced.`, iterations };
  } catch (err) {
    if (state.stop) return { status: state.stop.status, reason: state.stop.reason, iterations };
    if (p.signal.aborted) return { status: 'cancelled', reason: 'The cell that started this child run ended.', iterations };
    const reason = err instanceof RlmError ? err.message : 'Internal error in the run.';
    return { status: 'failed', reason, iterations };
  } finally {
    await session?.dispose().catch(() => undefined);
  }
}

async function callRoot(state: RunState, model: ChatModel, messages: ChatMessage[], parentId: string, signal: AbortSignal, limited: boolean): Promise<string> {
  state.chargeModelRequest();
  const started = Date.now();
  const call = () => model.complete(messages, { signal, ...replyStream(state, parentId, model.id) });
  const completion = await (limited ? state.modelSlots.run(call, signal) : call());
  const costUsd = state.record(model.id, completion.usage, completion.usageEstimated);
  state.emit({ type: 'model.response', parentId, model: model.id, text: completion.text, usage: completion.usage, costUsd, ms: Date.now() - started, total: state.total() });
  return completion.text;
}
