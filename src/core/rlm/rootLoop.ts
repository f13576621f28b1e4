import { RlmError } from '../errors';
import type { ChatMessage, ChatModel, TokenUsage } from '../llm/types';
import type { SandboxLimits, SandboxProvider, SandboxSession } from '../sandbox/types';
import { DEFAULT_SANDBOX_LIMITS } from '../sandbox/types';
import type { FileRead, Outcome } from '../trace/types';
import type { WorkspaceAccess } from '../workspace/types';
import { extractCode } from './codeBlocks';
import { compactHistory, describeCell, keptReply, KEPT_TURNS, OLD_OUTPUT_CHARS, replyMessage } from './replMessages';
import { recordingReads, workspaceFingerprint, type Replay } from './replay';
import type { RunState } from './runState';
import { excerpt, subcallHost } from './subcalls';
import { firstUserMessage } from './summary';
import { EMPTY_REPLY_PROMPT, FORCED_ANSWER_PROMPT, NO_CODE_PROMPT, PYTHON_PROMPT, refFixUpPrompt, systemPrompt } from './systemPrompt';
import { RefIndex, unresolvedRefs } from '../../fileRefs';
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
  /** A resumed run's recording: the top loop replays its root turns; every loop its sub-call replies. */
  replay?: Replay;
  /** Replay the recorded root turns (the top loop of a resumed run only). */
  replayTurns?: boolean;
}


/** One RLM: the root model writes code, the REPL runs it, until a FINAL or a budget. */
export async function runLoop(p: LoopParams): Promise<Outcome & { iterations: number }> {
  const { state } = p;
  let cellId = p.nodeId;
  const limits = { ...DEFAULT_SANDBOX_LIMITS, ...p.sandboxLimits };
  let session: SandboxSession | undefined;
  let opening: Promise<SandboxSession> | undefined;
  let iterations = 0;
  // Files the current cell reads, recorded in its cell.output for resume's changed-file check.
  let reads: FileRead[] = [];
  try {
    const check = () => {
      state.check();
      if (p.signal.aborted) throw new RlmError('The cell that started this child run ended.', 'cancelled');
    };
    check();
    // The session opens (the map crosses to the sandbox process) while the first root request is
    // out: that request needs no REPL, so a warm map's question reaches the model at once.
    opening = p.sandbox.openSession({
      workspace: recordingReads(p.workspace, () => reads),
      limits: p.sandboxLimits,
      tree: state.sandboxes,
      subcalls: subcallHost({ state, rootModel: p.rootModel, subModel: p.subModel, parentId: () => cellId, startChild: p.startChild, replay: p.replay }),
    });
    opening.catch(() => undefined); // awaited before the first cell, or in `finally`
    const repl = async () => (session ??= await opening!);
    const messages: ChatMessage[] = [
      {
        role: 'system',
        content: systemPrompt({
          maxIterations: p.maxIterations,
          outputChars: limits.outputChars,
          subcallChars: Math.min(SUBCALL_GUIDE_CHARS, limits.promptChars),
          canRecurse: p.startChild !== undefined,
          turn: p.turnLimits,
          keptTurns: KEPT_TURNS,
          oldOutputChars: OLD_OUTPUT_CHARS,
        }) + (p.preface?.system ? `\n\n${p.preface.system}` : ''),
      },
      { role: 'user', content: (p.preface?.user ? `${p.preface.user}\n\n` : '') + firstUserMessage(p.question, p.workspace.context, p.scope) },
    ];

    let fixUpGiven = false;
    let refIndex: RefIndex | undefined;
    const refsOf = (answer: string): { unverifiedRefs?: string[] } => {
      if (p.depth > 1) return {};
      refIndex ??= new RefIndex(p.workspace.context.files);
      const bad = unresolvedRefs(answer, refIndex).map((r) => `${r.text} (${r.reason})`);
      return bad.length ? { unverifiedRefs: bad } : {};
    };
    // Root replies are looked up in the reply cache only for the same workspace map (an identical
    // question on an unchanged workspace), and replayed from the trajectory on resume.
    const salt = p.rootModel.lookup ? workspaceFingerprint(p.workspace.context) : undefined;
    const callModel = (msgs: ChatMessage[], iterId: string, turn?: number) =>
      callRoot(state, p.rootModel, msgs, iterId, p.signal, p.limited, salt, turn !== undefined && p.replayTurns ? p.replay?.rootReply(turn) : undefined);
    for (let turn = 1; turn <= p.maxIterations; turn++) {
      check();
      iterations = turn;
      const iterId = state.emit({ type: 'iteration.start', parentId: p.nodeId, iteration: turn, maxIterations: p.maxIterations });
      const reply = await callModel(compactHistory(messages), iterId, turn);
      messages.push({ role: 'assistant', content: keptReply(reply, p.turnLimits) });
      const extracted = extractCode(reply);
      const { foreignLanguage } = extracted;
      // Blocks past the per-reply cap are not run at all (the reply says so).
      const blocks = extracted.blocks.slice(0, p.turnLimits.cells);
      const overLimit = extracted.blocks.length - blocks.length;
      if (!blocks.length) {
        const why = foreignLanguage ? PYTHON_PROMPT : reply.trim() === '' ? EMPTY_REPLY_PROMPT : NO_CODE_PROMPT;
        messages.push({ role: 'user', content: `[turn ${turn}/${p.maxIterations}] ${why}` });
        continue;
      }
      const texts: string[] = [];
      let skipped = 0;
      let fixUpText: string | undefined;
      for (let i = 0; i < blocks.length; i++) {
        // The REPL (opening since the first request went out) is ready before the cell is said to start.
        const ready = await repl();
        check();
        cellId = state.emit({ type: 'cell.start', parentId: iterId, code: blocks[i] });
        reads = [];
        const result = await ready.runCell(blocks[i], p.signal);
        // The top run's answer is checked against the workspace map; unresolved references get
        // ONE extra turn to fix or drop them, when a turn and the request budget allow it.
        const checked = result.final ? refsOf(result.final.value) : {};
        const fixUp =
          checked.unverifiedRefs && !fixUpGiven && turn < p.maxIterations && state.hasRoomForTurn()
            ? refFixUpPrompt(checked.unverifiedRefs)
            : undefined;
        state.emit({
          type: 'cell.output',
          parentId: cellId,
          cellId,
          output: excerpt(result.output, limits.outputChars + 200),
          error: result.error,
          final: result.final ? true : undefined,
          unverifiedRefs: checked.unverifiedRefs,
          refFixUp: fixUp ? true : undefined,
          killed: result.killed,
          ms: result.durationMs,
          reads: reads.length ? reads : undefined,
        });
        // An answer produced by execution stands even if a budget tripped during the same cell.
        if (result.final) {
          if (fixUp === undefined) return { status: 'answered', answer: result.final.value, iterations, ...checked };
          fixUpGiven = true;
          fixUpText = fixUp;
          break;
        }
        check();
        texts.push(describeCell(i, blocks.length, result));
        if (result.error || result.killed) {
          skipped = blocks.length - i - 1;
          break;
        }
      }
      if (fixUpText !== undefined) {
        // Outputs of the turn's earlier blocks are dropped: the answer's references are what matter now.
        messages.push({ role: 'user', content: `[turn ${turn}/${p.maxIterations}] ${fixUpText}` });
        continue;
      }
      messages.push({ role: 'user', content: replyMessage(turn, p.maxIterations, texts, skipped, { ...p.turnLimits, overLimit }) });
    }

    // Out of turns: one last call for the answer, marked as forced.
    check();
    const iterId = state.emit({ type: 'iteration.start', parentId: p.nodeId, iteration: iterations + 1, maxIterations: p.maxIterations });
    const answer = forcedAnswerText(await callModel([...compactHistory(messages), { role: 'user', content: FORCED_ANSWER_PROMPT }], iterId)).trim();
    return { status: 'forced', answer, reason: `Out of iterations (${p.maxIterations}); the answer was forced.`, iterations, ...refsOf(answer) };
  } catch (err) {
    if (state.stop) return { status: state.stop.status, reason: state.stop.reason, iterations };
    if (p.signal.aborted) return { status: 'cancelled', reason: 'The cell that started this child run ended.', iterations };
    const reason = err instanceof RlmError ? err.message : 'Internal error in the run.';
    return { status: 'failed', reason, iterations };
  } finally {
    // A session still opening when the loop ended is closed once open; the run does not wait for it.
    if (session) await session.dispose().catch(() => undefined);
    else void opening?.then((s) => s.dispose()).catch(() => undefined);
  }
}

async function callRoot(
  state: RunState,
  model: ChatModel,
  messages: ChatMessage[],
  parentId: string,
  signal: AbortSignal,
  limited: boolean,
  cacheSalt: string | undefined,
  recorded: { text: string; model: string; usage: TokenUsage } | undefined,
): Promise<string> {
  const started = Date.now();
  const hit = recorded ?? (cacheSalt !== undefined ? await model.lookup?.(messages, { cacheSalt }) : undefined);
  if (hit) {
    state.check();
    const saved = state.recordSaved(hit.model, hit.usage);
    state.emit({ type: 'model.response', parentId, model: hit.model, text: hit.text, usage: { promptTokens: 0, completionTokens: 0 }, costUsd: 0, ms: Date.now() - started, total: state.total(), cached: true, saved });
    return hit.text;
  }
  state.chargeModelRequest();
  const call = () => model.complete(messages, { signal, cacheSalt, ...replyStream(state, parentId, model.id) });
  const completion = await (limited ? state.modelSlots.run(call, signal) : call());
  const costUsd = state.record(model.id, completion.usage, completion.usageEstimated);
  state.emit({ type: 'model.response', parentId, model: model.id, text: completion.text, usage: completion.usage, costUsd, ms: Date.now() - started, total: state.total() });
  return completion.text;
}
