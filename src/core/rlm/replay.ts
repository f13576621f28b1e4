import { createHash } from 'node:crypto';
import { RlmError } from '../errors';
import { RESUMABLE_STATUSES } from '../trace/outcome';
import type { Completion } from '../llm/types';
import type { FileRead, ModelResponseEvent, RunStartEvent, SubcallStartEvent, TraceEvent } from '../trace/types';
import type { ContextMap, ReadRange, WorkspaceAccess } from '../workspace/types';
import { excerpt } from './subcalls';

/** Files one cell's reads are recorded for (cell.output `reads`); later reads are not checked on resume. */
export const CELL_READS_RECORDED = 200;
/** Recorded reads a resume re-reads to find changed files. */
const READS_CHECKED = 2_000;


/**
 * What a resumed run replays from a trajectory: the top run's recorded root replies (turn by turn)
 * and its sub-call replies (matched by model and prompt), so the REPL state is rebuilt by running the
 * recorded cells again without asking a model. Sub-calls look in the reply cache first; a reply cut
 * in the trace (longer than the trace's excerpt) can only come from the cache.
 */
export class Replay {
  private readonly subcalls = new Map<string, Completion[]>();

  private constructor(
    readonly runId: string,
    readonly question: string,
    readonly scope: string | undefined,
    readonly rootReplies: ModelResponseEvent[],
    readonly reads: FileRead[],
    subcalls: Array<[string, Completion]>,
  ) {
    for (const [key, c] of subcalls) {
      const list = this.subcalls.get(key) ?? [];
      list.push(c);
      this.subcalls.set(key, list);
    }
  }

  /** The last run of a trajectory (a --trace file may hold several), if it can be resumed. */
  static fromEvents(all: TraceEvent[]): Replay {
    let startAt = all.length - 1;
    while (startAt >= 0 && !(all[startAt].type === 'run.start' && all[startAt].parentId === undefined)) startAt--;
    if (startAt < 0) throw new RlmError('The trace holds no run (no run.start event): nothing to resume.', 'not-resumable');
    const events = all.slice(startAt);
    const start = events[0] as RunStartEvent;
    const end = events.find((e) => e.type === 'run.end');
    if (end && !RESUMABLE_STATUSES.has(end.status)) {
      throw new RlmError(`Run ${start.runId} ended "${end.status}": only an interrupted, failed or budget-stopped run can be resumed.`, 'not-resumable');
    }
    const iterations = new Set(events.filter((e) => e.type === 'iteration.start' && e.parentId === start.id).map((e) => e.id));
    // The forced last answer never ends a resumable run, so every top-level reply was a turn.
    const rootReplies = events.filter((e): e is ModelResponseEvent => e.type === 'model.response' && iterations.has(e.parentId ?? ''));
    const starts = new Map<string, SubcallStartEvent>();
    const subcalls: Array<[string, Completion]> = [];
    const reads: FileRead[] = [];
    for (const e of events) {
      if (e.type === 'subcall.start') starts.set(e.id, e);
      else if (e.type === 'subcall.end' && e.reply !== undefined && !e.error) {
        const s = starts.get(e.subcallId);
        // A reply cut to the trace's excerpt is not the reply: only the cache can give it back.
        const whole = e.replyChars !== undefined ? e.replyChars === e.reply.length : !/\n\[\.\.\. \d+ characters cut \.\.\.\]\n/.test(e.reply);
        const usage = e.usage ?? { promptTokens: 0, completionTokens: 0 };
        if (s && whole) subcalls.push([subcallKey(s.model, s.prompt, s.promptChars), { text: e.reply, model: s.model, usage }]);
      } else if (e.type === 'cell.output' && e.reads) reads.push(...e.reads);
    }
    return new Replay(start.runId, start.question, start.scope, rootReplies, reads, subcalls);
  }

  /** The recorded root reply of top-level turn `turn` (1-based), if the run got that far. */
  rootReply(turn: number): ModelResponseEvent | undefined {
    return this.rootReplies[turn - 1];
  }

  /** A recorded reply to this exact sub-call (same model, prompt excerpt and length), used once. */
  subcallReply(model: string, prompt: string): Completion | undefined {
    return this.subcalls.get(subcallKey(model, excerpt(prompt), prompt.length))?.shift();
  }
}

function subcallKey(model: string, promptExcerpt: string, promptChars: number): string {
  return JSON.stringify([model, promptChars, promptExcerpt]);
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Recorded reads whose file now reads differently (or not at all): "path" or "path:start-end". */
export async function changedFiles(reads: FileRead[], workspace: WorkspaceAccess): Promise<string[]> {
  const seen = new Set<string>();
  const changed: string[] = [];
  for (const r of reads) {
    const name = r.start !== undefined || r.end !== undefined ? `${r.path}:${r.start ?? 1}-${r.end ?? ''}` : r.path;
    if (seen.has(name)) continue;
    seen.add(name);
    if (seen.size > READS_CHECKED) break;
    const range: ReadRange | undefined =
      r.start !== undefined || r.end !== undefined || r.numbered ? { start: r.start, end: r.end, ...(r.numbered ? { numbered: true } : {}) } : undefined;
    const now = await workspace.readFile(r.path, range).then(sha256, () => undefined);
    if (now !== r.sha256) changed.push(name);
  }
  return changed;
}

/** The workspace access a loop hands its sandbox, recording each readFile (path, range, text hash) into `sink()`. */
export function recordingReads(workspace: WorkspaceAccess, sink: () => FileRead[]): WorkspaceAccess {
  return {
    get context() {
      return workspace.context;
    },
    async readFile(path, range, signal) {
      const text = await workspace.readFile(path, range, signal);
      const reads = sink();
      const numbered = range?.numbered === true;
      if (reads.length < CELL_READS_RECORDED && !reads.some((r) => r.path === path && r.start === range?.start && r.end === range?.end && (r.numbered === true) === numbered)) {
        reads.push({ path, ...(range?.start !== undefined ? { start: range.start } : {}), ...(range?.end !== undefined ? { end: range.end } : {}), ...(numbered ? { numbered } : {}), sha256: sha256(text) });
      }
      return text;
    },
    grep: (pattern, options, signal) => workspace.grep(pattern, options, signal),
    hasFile: (path) => workspace.hasFile(path),
    // outline/enclosing/definitions/references: the host may put language servers in front later.
    get structure() {
      return workspace.structure;
    },
  };
}

const fingerprints = new WeakMap<ContextMap, string>();

/** "Unchanged workspace" for the root-reply cache: a hash of the map's roots, scope, files (path,
 *  size, lines) and skipped files. Computed once per map; cheap next to the scan that built it. */
export function workspaceFingerprint(context: ContextMap): string {
  let fp = fingerprints.get(context);
  if (fp === undefined) {
    const h = createHash('sha256');
    h.update(JSON.stringify([context.roots, context.scope ?? null]));
    for (const f of context.files) h.update(`\n${f.path}\0${f.size}\0${f.lines}`);
    for (const s of context.skipped) h.update(`\n!${s.path}\0${s.reason}\0${s.size ?? ''}`);
    fp = h.digest('hex');
    fingerprints.set(context, fp);
  }
  return fp;
}
