/**
 * The direct baseline (the paper's "base model" column): the same root model, asked once, with
 * the repository's files pasted into one prompt before the question.
 *
 * Stated order and size: every file of the workspace map (the same ignore and secret rules as a
 * run: .gitignore, built-in excludes, secrets, binaries and files over 1 MiB are left out), sorted
 * by path (code-unit order), each under a line "=== FILE path ===", until the pasted text reaches
 * the context size in characters; the file that crosses it is cut there and the rest are left out.
 */
import { safeMessage } from '../errors';
import type { ChatModel, PriceTable } from '../llm/types';
import { UsageMeter } from '../llm/usage';
import { newRunId, TraceEventFactory } from '../trace/ids';
import type { RunStatus, TraceEvent } from '../trace/types';
import type { WorkspaceAccess } from '../workspace/types';
import { TraceEmitter } from '../trace/emitter';

/** ≈ 200,000 tokens at 4 characters a token: under GPT-5's 272,000-token input limit with room for the question. */
export const DEFAULT_DIRECT_CHARS = 800_000;

export const DIRECT_ORDER = 'files of the workspace map sorted by path, each under "=== FILE path ==="';

export interface Pasted {
  text: string;
  /** Files in the workspace map. */
  files: number;
  /** Files pasted, the cut one included. */
  included: number;
  chars: number;
  /** The context size was reached (a file was cut or left out). */
  cut: boolean;
}

export async function pasteRepository(ws: WorkspaceAccess, maxChars: number, signal?: AbortSignal): Promise<Pasted> {
  const paths = ws.context.files.map((f) => f.path).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const parts: string[] = [];
  let chars = 0;
  let included = 0;
  let cut = false;
  for (const path of paths) {
    signal?.throwIfAborted();
    let text: string;
    try {
      text = await ws.readFile(path);
    } catch {
      continue; // changed or unreadable since the scan: left out, like a run would be refused it
    }
    const piece = `=== FILE ${path} ===\n${text}${text.endsWith('\n') ? '' : '\n'}\n`;
    const room = maxChars - chars;
    included++;
    if (piece.length > room) {
      parts.push(piece.slice(0, Math.max(0, room)));
      chars += Math.max(0, room);
      cut = true;
      break;
    }
    parts.push(piece);
    chars += piece.length;
  }
  return { text: parts.join(''), files: paths.length, included, chars, cut };
}

export interface DirectParams {
  question: string;
  /** What is shown after the pasted files. */
  prompt: string;
  workspace: WorkspaceAccess;
  model: ChatModel;
  prices: PriceTable;
  maxChars: number;
  signal: AbortSignal;
  onEvent: (e: TraceEvent) => void;
  /** Secrets (API keys) to scrub from every trace event. */
  secrets?: string[];
}

export interface DirectOutcome {
  status: RunStatus;
  answer?: string;
  reason?: string;
  usage: ReturnType<UsageMeter['usage']>;
  costUsd: number | null;
  ms: number;
  pasted: Omit<Pasted, 'text'>;
}

/** One model call; its trace has the shape of a run's (run.start, model.response, run.end). */
export async function askDirect(p: DirectParams): Promise<DirectOutcome> {
  const started = Date.now();
  const events = new TraceEventFactory();
  const meter = new UsageMeter(p.prices);
  // Redacted like a run's events (the configured key never reaches a trace).
  const emitter = new TraceEmitter(p.secrets);
  emitter.on(p.onEvent);
  const emit = (e: TraceEvent) => emitter.emit(e);
  const start = events.make('run.start', undefined, {
    runId: newRunId(),
    question: p.question,
    depth: 1,
    rootModel: p.model.id,
    subModel: p.model.id,
    workspace: { root: p.workspace.context.root, files: p.workspace.context.totals.files, bytes: p.workspace.context.totals.bytes },
  });
  emit(start);
  let pasted: Pasted = { text: '', files: p.workspace.context.files.length, included: 0, chars: 0, cut: false };
  let status: RunStatus = 'answered';
  let answer: string | undefined;
  let reason: string | undefined;
  try {
    pasted = await pasteRepository(p.workspace, p.maxChars, p.signal);
    const t0 = Date.now();
    const c = await p.model.complete([{ role: 'user', content: `${pasted.text}\n${p.prompt}` }], { signal: p.signal });
    meter.record(c.model, c.usage, c.usageEstimated === true);
    answer = c.text;
    emit(events.make('model.response', start.id, { model: c.model, text: c.text, usage: c.usage, costUsd: meter.costOf(c.model, c.usage), ms: Date.now() - t0 }));
  } catch (err) {
    status = p.signal.aborted ? 'cancelled' : 'failed';
    reason = p.signal.aborted ? 'Cancelled by the user.' : safeMessage(err, 'The model call failed.');
  }
  const end = { status, answer, reason, iterations: answer === undefined ? 0 : 1, subcalls: 0, usage: meter.usage(), costUsd: meter.totalCost(), ms: Date.now() - started };
  emit(events.make('run.end', start.id, end));
  const { text: _text, ...shape } = pasted;
  return { status, answer, reason, usage: end.usage, costUsd: end.costUsd, ms: end.ms, pasted: shape };
}
