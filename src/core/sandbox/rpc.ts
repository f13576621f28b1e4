import { randomUUID } from 'node:crypto';
import { RlmError, safeMessage } from '../errors';
import { Semaphore } from '../semaphore';
import { shorten } from '../shorten';
import type { SearchOptions } from '../structure/types';
import type { GrepOptions, ReadRange, WorkspaceAccess } from '../workspace/types';
import { batchItemFailed, batchTooLong, CALL_OPS, MAX_BATCH_ID_CHARS, MAX_CALLS_IN_FLIGHT, promptTooLong, type CallOp, type StructureOp } from './sandboxIpc';
import type { SandboxLimits, SandboxSessionOptions } from './types';

/** The host side of one cell's endowment calls. Arguments arrive as JSON data from the child and
 *  are checked again here; replies are plain data; errors cross as RlmError messages only. */

export type Reply = { ok: true; value: unknown } | { ok: false; message: string };

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new RlmError(`${what} must be a string`, 'bad-argument');
  return v;
}

function pick<T extends object>(v: unknown, keys: Record<string, string>): T {
  const out: Record<string, unknown> = {};
  if (v && typeof v === 'object') {
    for (const [k, type] of Object.entries(keys)) {
      const x = (v as Record<string, unknown>)[k];
      if (typeof x === type) out[k] = x;
    }
  }
  return out as T;
}

/** A code structure call, its reply as plain data: `{items, truncated, note}` lists, or for
 *  `enclosing` one symbol or null. */
async function structureCall(workspace: WorkspaceAccess, op: StructureOp, args: unknown[], signal: AbortSignal): Promise<unknown> {
  const s = workspace.structure;
  if (!s) throw new RlmError(`${op} is not available in this workspace; use grep and readFile`, 'structure-unavailable');
  const search = () => pick<SearchOptions>(args[1], { glob: 'string', exclude: 'string', maxResults: 'number' });
  switch (op) {
    case 'outline':
      return s.outline(str(args[0], 'path'), signal);
    case 'enclosing':
      if (typeof args[1] !== 'number') throw new RlmError('enclosing: line must be a number', 'bad-argument');
      return s.enclosing(str(args[0], 'path'), args[1], signal);
    case 'definitions':
      return s.definitions(str(args[0], 'name'), search(), signal);
    case 'references':
      return s.references(str(args[0], 'name'), search(), signal);
  }
}

export class CellCalls {
  private readonly controller = new AbortController();
  /** Sub-calls of this cell in flight; waiters are dropped (rejected) when the cell ends. */
  private readonly slots: Semaphore;
  private used = 0;
  private waiting = 0;

  constructor(private readonly options: SandboxSessionOptions, private readonly limits: SandboxLimits) {
    this.slots = new Semaphore(Math.max(1, limits.subcallsInFlight), () => new RlmError('the cell ended before this call started', 'cell-ended'));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The cell ended: queued sub-calls are dropped, running ones are told to stop. */
  close(): void {
    this.controller.abort();
  }

  async handle(op: unknown, args: unknown): Promise<Reply> {
    this.waiting++;
    try {
      if (typeof op !== 'string' || !CALL_OPS.includes(op as CallOp) || !Array.isArray(args)) {
        throw new RlmError('unknown sandbox call', 'bad-call');
      }
      // The child enforces this too; checked again because the host trusts nothing it sends.
      if (this.waiting > MAX_CALLS_IN_FLIGHT) throw new RlmError(`${op}: too many calls waiting at once`, 'limit-calls');
      return { ok: true, value: await this.dispatch(op as CallOp, args) };
    } catch (err) {
      return { ok: false, message: safeMessage(err, `${String(op)} failed`) };
    } finally {
      this.waiting--;
    }
  }

  private dispatch(op: CallOp, args: unknown[]): Promise<unknown> {
    const { workspace, subcalls } = this.options;
    const signal = this.controller.signal;
    switch (op) {
      case 'readFile':
        return workspace.readFile(str(args[0], 'path'), pick<ReadRange>(args[1], { start: 'number', end: 'number', numbered: 'boolean' }), signal);
      case 'grep':
        return workspace
          .grep(
            str(args[0], 'pattern'),
            pick<GrepOptions>(args[1], { glob: 'string', exclude: 'string', ignoreCase: 'boolean', maxResults: 'number', contextLines: 'number', mode: 'string' }),
            signal,
          )
          .then((r) => ({
            hits: r.hits.map((h) => ({ path: h.path, line: h.line, text: h.text, before: h.before, after: h.after })),
            truncated: r.truncated,
            note: r.note,
            total: r.total,
            files: r.files,
            partial: r.partial === true,
            perFile: r.perFile?.map((f) => ({ path: f.path, count: f.count })),
          }));
      case 'outline':
      case 'enclosing':
      case 'definitions':
      case 'references':
        return structureCall(workspace, op, args, signal);
      case 'llm_query': {
        const prompt = str(args[0], 'prompt');
        const model = pick<{ model?: string }>(args[1], { model: 'string' });
        this.reserve('llm_query', 1);
        this.checkPrompt('llm_query', prompt.length);
        return this.slots.run(() => subcalls.llmQuery(prompt, model, signal), signal);
      }
      case 'rlm_query': {
        const prompt = str(args[0], 'prompt');
        const text = args[1] === undefined ? undefined : str(args[1], 'text');
        this.reserve('rlm_query', 1);
        this.checkPrompt('rlm_query', prompt.length + (text?.length ?? 0));
        return this.slots.run(() => subcalls.rlmQuery(prompt, text, signal), signal);
      }
      case 'llm_batch':
        return this.batch(args[0], args[1], args[2]);
    }
  }

  /** Each item runs on its own; a failed item becomes "[llm_batch item i failed: message]" (i from 0)
   *  and its index is listed in `failed`, so one bad prompt or one provider error does not lose the
   *  other answers. `rawLabels`: the items' ids when model code labelled them (for the trace). */
  private async batch(rawPrompts: unknown, rawOptions: unknown, rawLabels: unknown): Promise<{ replies: string[]; failed: number[] }> {
    if (!Array.isArray(rawPrompts)) throw new RlmError('llm_batch: prompts must be an array of strings', 'bad-argument');
    const prompts = rawPrompts.map((p, i) => str(p, `llm_batch: prompts[${i}]`));
    const labels = Array.isArray(rawLabels) ? rawLabels.map((l, i) => shorten(str(l, `llm_batch: ids[${i}]`), MAX_BATCH_ID_CHARS)) : undefined;
    if (prompts.length > this.limits.batchSize) {
      throw new RlmError(`llm_batch: ${prompts.length} prompts, the limit is ${this.limits.batchSize} per call`, 'limit-batch');
    }
    const total = prompts.reduce((sum, p) => sum + p.length, 0);
    if (total > this.limits.batchChars) throw new RlmError(batchTooLong(total, this.limits.batchChars), 'limit-batch');
    const model = pick<{ model?: string }>(rawOptions, { model: 'string' });
    this.reserve('llm_batch', prompts.length);
    const signal = this.controller.signal;
    const id = randomUUID();
    const failed: number[] = [];
    const replies = await Promise.all(
      prompts.map(async (prompt, i) => {
        try {
          this.checkPrompt(`llm_batch item ${i}`, prompt.length);
          const batch = { id, index: i, size: prompts.length, label: labels?.[i] };
          return await this.slots.run(() => this.options.subcalls.llmQuery(prompt, { ...model, batch }, signal), signal);
        } catch (err) {
          failed.push(i);
          return batchItemFailed(i, safeMessage(err, 'the sub-call failed'));
        }
      }),
    );
    return { replies, failed: failed.sort((a, b) => a - b) };
  }

  private reserve(what: string, n: number): void {
    const limit = this.limits.subcallsPerCell;
    if (this.used + n > limit) {
      throw new RlmError(
        `${what}: sub-call limit reached (${limit} per cell, ${this.used} used, ${n} asked); split the work across cells or filter first`,
        'limit-subcalls',
      );
    }
    this.used += n;
  }

  private checkPrompt(what: string, chars: number): void {
    if (chars > this.limits.promptChars) {
      throw new RlmError(promptTooLong(what, chars, this.limits.promptChars), 'limit-prompt');
    }
  }
}
