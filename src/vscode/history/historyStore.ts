/**
 * Run history on disk, under the extension's global storage (shared by every VS Code window):
 *   runs/<runId>.jsonl  the trajectory (core TrajectoryWriter: one event per line, as the run's emitter redacted it, appended as it happens)
 *   runs/<runId>.live   while a run works: the pid of the extension host running it; removed at its end
 *   index.jsonl         append-only: a line when a run starts, when it ends, when it is deleted and
 *                       when history is cleared. Never rewritten, so windows sharing the storage
 *                       never lose each other's lines.
 * A run with a start line, no end line and a `.live` file whose process is alive is running (in
 * this or another window); without a live process it was cut off by a crash or a reload and shows
 * as interrupted. A live run is never deleted or cleared. Damaged lines and files are skipped with a warning.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runTokens, type RunTokens } from '../../core/llm/costEstimate';
import { readTrajectory, TrajectoryWriter } from '../../core/trace/trajectory';
import { isLiveOnly, type TraceEvent, type RunStatus } from '../../core/trace/types';

export interface HistoryEntry {
  runId: string;
  question: string;
  scope?: string;
  /** URIs of the workspace folders open when the run started (absent in older entries). */
  folders?: string[];
  startedAt: number;
  status: RunStatus | 'running';
  costUsd: number | null;
  ms?: number;
  /** Tokens of the root model and of the sub-calls (runs recorded before this field have none). */
  tokens?: RunTokens;
}

type IndexLine =
  | { kind: 'start'; runId: string; question: string; scope?: string; folders?: string[]; startedAt: number }
  | { kind: 'end'; runId: string; status: RunStatus; costUsd: number | null; ms: number; tokens?: RunTokens }
  | { kind: 'delete'; runId: string }
  /** Removes every run listed before this line except `keep` (the runs live when it was written). */
  | { kind: 'clear'; ts: number; keep: string[] };

const RUN_ID = /^[A-Za-z0-9_.-]{1,128}$/;

/** Whether a process with this id exists (EPERM: it exists, owned by someone else). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class HistoryStore {
  readonly runsDir: string;
  private readonly indexFile: string;
  private readonly live = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly warned = new Set<string>();
  private readonly writers = new Map<string, Promise<TrajectoryWriter>>();
  /** Root model of each run recording here: its run.end usage is split by it (see pastTokens). */
  private readonly rootModels = new Map<string, string>();

  /** `pid`: the process that runs this window's runs (the extension host); tests pass another. */
  constructor(
    storageDir: string,
    private readonly warn: (message: string) => void,
    private readonly pid: number = process.pid,
  ) {
    this.runsDir = path.join(storageDir, 'runs');
    this.indexFile = path.join(storageDir, 'index.jsonl');
  }

  trajectoryPath(runId: string): string {
    if (!RUN_ID.test(runId)) throw new Error(`bad run id: ${runId}`);
    return path.join(this.runsDir, `${runId}.jsonl`);
  }

  private livePath(runId: string): string {
    if (!RUN_ID.test(runId)) throw new Error(`bad run id: ${runId}`);
    return path.join(this.runsDir, `${runId}.live`);
  }

  /** Serialises writes so lines never interleave. */
  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  flush(): Promise<void> {
    return this.enqueue(async () => undefined);
  }

  /** Records one event of a run working in this window: its run.start opens the trajectory and the
   *  index entry, every event is appended, and its run.end closes both. Only the top run ends with
   *  run.end (a child run ends with child.end), and the core always sends it, so a run recorded here
   *  is never left open. `folders`: the URIs of the open workspace folders. */
  record(runId: string, event: TraceEvent, folders?: string[]): void {
    if (isLiveOnly(event)) return; // the model.response that follows holds the whole text
    if (event.type === 'run.start' && event.parentId === undefined) {
      this.beginRun(event, folders);
      this.rootModels.set(runId, event.rootModel);
    }
    this.appendEvent(runId, event);
    if (event.type === 'run.end') {
      const root = this.rootModels.get(runId);
      this.rootModels.delete(runId);
      void this.endRun(runId, event.status, event.costUsd, event.ms, root === undefined ? undefined : runTokens(event.usage ?? {}, root));
    }
  }

  /** `folders`: the URIs of the open workspace folders (the history shows a workspace its own runs). */
  beginRun(start: Extract<TraceEvent, { type: 'run.start' }>, folders?: string[]): void {
    this.live.add(start.runId);
    // Written before the start line, so another window never sees the run without its liveness.
    try {
      fs.mkdirSync(this.runsDir, { recursive: true });
      fs.writeFileSync(this.livePath(start.runId), String(this.pid));
    } catch (err) {
      this.warnOnce(`RLM history: could not mark the run as live: ${(err as Error).message}`);
    }
    const writer = fs.promises.mkdir(this.runsDir, { recursive: true }).then(() => TrajectoryWriter.open(this.trajectoryPath(start.runId)));
    writer.catch(() => undefined);
    this.writers.set(start.runId, writer);
    const line: IndexLine = { kind: 'start', runId: start.runId, question: start.question, scope: start.scope, folders, startedAt: start.ts };
    void this.enqueue(async () => {
      await fs.promises.mkdir(this.runsDir, { recursive: true });
      await fs.promises.appendFile(this.indexFile, JSON.stringify(line) + '\n');
    });
  }

  appendEvent(runId: string, event: TraceEvent): void {
    const writer = this.writers.get(runId);
    if (!writer) return;
    void this.enqueue(async () => {
      const w = await writer;
      w.append(event);
      if (w.error) this.warnOnce(`RLM history: ${w.error}`);
    }).catch((err) => this.warnOnce(`RLM history: could not write the run's trajectory: ${(err as Error).message}`));
  }

  endRun(runId: string, status: RunStatus, costUsd: number | null, ms: number, tokens?: RunTokens): Promise<void> {
    const line: IndexLine = tokens ? { kind: 'end', runId, status, costUsd, ms, tokens } : { kind: 'end', runId, status, costUsd, ms };
    const writer = this.writers.get(runId);
    this.writers.delete(runId);
    return this.enqueue(async () => {
      await fs.promises.appendFile(this.indexFile, JSON.stringify(line) + '\n');
      this.live.delete(runId);
      await fs.promises.rm(this.livePath(runId), { force: true });
      await (await writer?.catch(() => undefined))?.close();
    });
  }

  /** The same warning once per session, not on every refresh of the view. */
  private warnOnce(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.warn(message);
  }

  /** Live in this window. */
  isLiveHere(runId: string): boolean {
    return this.live.has(runId);
  }

  /** Live in this or another window (its `.live` file names a process that is alive). */
  async isLive(runId: string): Promise<boolean> {
    if (this.live.has(runId)) return true;
    if (!RUN_ID.test(runId)) return false;
    const text = await fs.promises.readFile(this.livePath(runId), 'utf8').catch(() => '');
    return pidAlive(Number(text.trim()));
  }

  /** Runs live in any window, from one listing of the runs folder (`names`, when given). */
  private async liveRuns(names?: string[]): Promise<Set<string>> {
    const files = names ?? (await fs.promises.readdir(this.runsDir).catch(() => [] as string[]));
    const out = new Set(this.live);
    for (const f of files) {
      if (!f.endsWith('.live')) continue;
      const id = f.slice(0, -'.live'.length);
      if (!out.has(id) && (await this.isLive(id))) out.add(id);
    }
    return out;
  }

  /** Runs, newest first. */
  async list(): Promise<HistoryEntry[]> {
    await this.flush();
    let text: string;
    try {
      text = await fs.promises.readFile(this.indexFile, 'utf8');
    } catch {
      return [];
    }
    const entries = new Map<string, HistoryEntry>();
    let damaged = 0;
    for (const raw of text.split('\n')) {
      if (!raw.trim()) continue;
      let line: IndexLine;
      try {
        line = JSON.parse(raw) as IndexLine;
        if (!line || (line.kind !== 'clear' && (typeof line.runId !== 'string' || !RUN_ID.test(line.runId)))) throw new Error('bad line');
      } catch {
        damaged++;
        continue;
      }
      if (line.kind === 'start') {
        const folders = Array.isArray(line.folders) ? line.folders.filter((f): f is string => typeof f === 'string') : undefined;
        entries.set(line.runId, { runId: line.runId, question: String(line.question ?? ''), scope: line.scope, folders, startedAt: Number(line.startedAt) || 0, status: 'running', costUsd: null });
      } else if (line.kind === 'end') {
        const e = entries.get(line.runId);
        if (e) Object.assign(e, { status: line.status, costUsd: line.costUsd ?? null, ms: line.ms }, line.tokens && typeof line.tokens === 'object' ? { tokens: line.tokens } : {});
      } else if (line.kind === 'delete') {
        entries.delete(line.runId);
      } else if (line.kind === 'clear') {
        const keep = new Set(Array.isArray(line.keep) ? line.keep : []);
        for (const id of [...entries.keys()]) if (!keep.has(id)) entries.delete(id);
      }
    }
    if (damaged > 0) this.warnOnce(`RLM history: skipped ${damaged} damaged line(s) in the history index.`);
    const live = await this.liveRuns();
    for (const e of entries.values()) {
      if (e.status === 'running' && !live.has(e.runId)) e.status = 'interrupted';
    }
    return [...entries.values()].sort((a, b) => b.startedAt - a.startedAt);
  }

  /** Tokens of the most recent ended runs that recorded them (newest first): what a cost
   *  estimate learns from. Cancelled runs and runs that never reached a model are left out. */
  async pastTokens(max = 50): Promise<RunTokens[]> {
    const ended = (await this.list()).filter((e) => e.tokens && e.status !== 'cancelled' && e.status !== 'running');
    return ended
      .map((e) => e.tokens!)
      .filter((t) => t.root.promptTokens + t.sub.promptTokens > 0)
      .slice(0, max);
  }

  /** The trajectory's events; damaged lines are skipped and counted. Throws when the file is missing. */
  async readTrajectory(runId: string): Promise<{ events: TraceEvent[]; damaged: number }> {
    await this.flush();
    const { events, warnings } = await readTrajectory(this.trajectoryPath(runId));
    return { events, damaged: warnings.length };
  }

  /** False (and nothing removed) when the run is live in any window. */
  delete(runId: string): Promise<boolean> {
    const line: IndexLine = { kind: 'delete', runId };
    return this.enqueue(async () => {
      if (await this.isLive(runId)) return false;
      await fs.promises.appendFile(this.indexFile, JSON.stringify(line) + '\n');
      await fs.promises.rm(this.trajectoryPath(runId), { force: true });
      await fs.promises.rm(this.livePath(runId), { force: true });
      return true;
    });
  }

  /** Removes every run except those live in any window, by appending a line (never rewriting). */
  clear(): Promise<void> {
    return this.enqueue(async () => {
      // One listing: a run started after it is not in it, so its files are not touched.
      const files = await fs.promises.readdir(this.runsDir).catch(() => [] as string[]);
      const live = await this.liveRuns(files);
      await fs.promises.mkdir(this.runsDir, { recursive: true });
      const line: IndexLine = { kind: 'clear', ts: Date.now(), keep: [...live] };
      await fs.promises.appendFile(this.indexFile, JSON.stringify(line) + '\n');
      for (const f of files) {
        const id = f.replace(/\.(jsonl|live)$/, '');
        if (id !== f && !live.has(id)) await fs.promises.rm(path.join(this.runsDir, f), { force: true });
      }
    });
  }
}
