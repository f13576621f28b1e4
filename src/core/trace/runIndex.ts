import * as fs from 'node:fs';
import * as path from 'node:path';
import { readTrajectory } from './trajectory';
import type { RunEndEvent, RunStartEvent, RunStatus, TraceEvent } from './types';

/** 'running' is only ever written while a run is live; read back later it means 'interrupted'. */
export type IndexedStatus = RunStatus | 'running';

export interface RunIndexEntry {
  runId: string;
  question: string;
  status: IndexedStatus;
  /** Epoch ms. */
  startedAt: number;
  endedAt?: number;
  costUsd: number | null;
  /** Trajectory file name, relative to the index's folder. */
  file: string;
  scope?: string;
  reason?: string;
}

const VERSION = 1;

/**
 * The small JSON file the history view lists runs from (the trajectories hold the detail).
 * Loading never fails: a damaged index yields a warning and, when a trajectory folder is given,
 * is rebuilt from the trajectories. A run indexed as 'running' that is not live in this process
 * (the editor or the CLI died mid-run) is reported as 'interrupted'.
 */
export class RunIndex {
  readonly warnings: string[] = [];
  private readonly entries = new Map<string, RunIndexEntry>();
  private readonly live = new Set<string>();

  private constructor(readonly file: string) {}

  static empty(file: string): RunIndex {
    return new RunIndex(file);
  }

  /**
   * @param trajectoryDir when set and the index is damaged, runs are recovered from the
   *        `*.jsonl` files there (their file names are stored relative to the index's folder).
   */
  static async load(file: string, options: { trajectoryDir?: string } = {}): Promise<RunIndex> {
    const index = new RunIndex(file);
    let text: string;
    try {
      text = await fs.promises.readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') index.warnings.push(`history index unreadable (${(err as NodeJS.ErrnoException).code}); starting empty`);
      return index;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      index.warnings.push('history index damaged; ' + (options.trajectoryDir ? 'rebuilt from the trajectories' : 'starting empty'));
      if (options.trajectoryDir) await index.rebuildFrom(options.trajectoryDir);
      return index;
    }
    const runs = (data as { runs?: unknown })?.runs;
    if (!Array.isArray(runs)) {
      index.warnings.push('history index has no run list; starting empty');
      return index;
    }
    for (const r of runs) {
      const entry = toEntry(r);
      if (entry) index.entries.set(entry.runId, entry);
      else index.warnings.push('a damaged history entry was skipped');
    }
    return index;
  }

  /** Newest first; 'running' entries not live here show as 'interrupted'. */
  list(): RunIndexEntry[] {
    return [...this.entries.values()].map((e) => this.view(e)).sort((a, b) => b.startedAt - a.startedAt);
  }

  get(runId: string): RunIndexEntry | undefined {
    const e = this.entries.get(runId);
    return e && this.view(e);
  }

  upsert(entry: RunIndexEntry): void {
    this.entries.set(entry.runId, { ...entry });
  }

  remove(runId: string): boolean {
    this.live.delete(runId);
    return this.entries.delete(runId);
  }

  /** Records a starting run as live ('running') from its top run.start event. */
  recordStart(event: RunStartEvent, file: string): RunIndexEntry {
    const entry: RunIndexEntry = {
      runId: event.runId,
      question: event.question,
      status: 'running',
      startedAt: event.ts,
      costUsd: null,
      file,
      ...(event.scope ? { scope: event.scope } : {}),
    };
    this.entries.set(entry.runId, entry);
    this.live.add(entry.runId);
    return entry;
  }

  recordEnd(runId: string, event: RunEndEvent): RunIndexEntry | undefined {
    const e = this.entries.get(runId);
    this.live.delete(runId);
    if (!e) return undefined;
    Object.assign(e, { status: event.status, endedAt: event.ts, costUsd: event.costUsd, ...(event.reason ? { reason: event.reason } : {}) });
    return { ...e };
  }

  /** Writes atomically (temp file + rename), so a crash mid-save leaves the old index whole. */
  async save(): Promise<void> {
    await fs.promises.mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    const runs = [...this.entries.values()].sort((a, b) => b.startedAt - a.startedAt);
    await fs.promises.writeFile(tmp, JSON.stringify({ version: VERSION, runs }, null, 1));
    await fs.promises.rename(tmp, this.file);
  }

  /** Adds every run found in `dir/*.jsonl`; damaged trajectories add warnings. */
  async rebuildFrom(dir: string): Promise<void> {
    let names: string[];
    try {
      names = (await fs.promises.readdir(dir)).filter((n) => n.endsWith('.jsonl'));
    } catch {
      this.warnings.push('no trajectories to rebuild the history from');
      return;
    }
    for (const name of names) {
      const full = path.join(dir, name);
      try {
        const { events, warnings } = await readTrajectory(full);
        const entry = entryFromEvents(events, path.relative(path.dirname(this.file), full));
        if (entry) this.entries.set(entry.runId, entry);
        else this.warnings.push(`${name}: no run in it, skipped`);
        if (warnings.length) this.warnings.push(`${name}: ${warnings.length} damaged line(s) skipped`);
      } catch {
        this.warnings.push(`${name}: unreadable, skipped`);
      }
    }
  }

  private view(e: RunIndexEntry): RunIndexEntry {
    return e.status === 'running' && !this.live.has(e.runId) ? { ...e, status: 'interrupted' } : { ...e };
  }
}

/**
 * The history entry for one trajectory: the top run.start and its run.end; a run.start without
 * run.end is a run that never finished ('interrupted').
 */
export function entryFromEvents(events: TraceEvent[], file: string): RunIndexEntry | undefined {
  const start = events.find((e): e is RunStartEvent => e.type === 'run.start' && e.parentId === undefined);
  if (!start) return undefined;
  const end = events.find((e): e is RunEndEvent => e.type === 'run.end' && e.parentId === start.id);
  return {
    runId: start.runId,
    question: start.question,
    status: end ? end.status : 'interrupted',
    startedAt: start.ts,
    ...(end ? { endedAt: end.ts } : {}),
    costUsd: end ? end.costUsd : null,
    file,
    ...(start.scope ? { scope: start.scope } : {}),
    ...(end?.reason ? { reason: end.reason } : {}),
  };
}

const STATUSES = new Set<string>(['answered', 'forced', 'failed', 'cancelled', 'budget', 'interrupted', 'running']);

function toEntry(v: unknown): RunIndexEntry | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const r = v as Record<string, unknown>;
  if (typeof r.runId !== 'string' || typeof r.question !== 'string' || typeof r.file !== 'string') return undefined;
  if (typeof r.status !== 'string' || !STATUSES.has(r.status) || typeof r.startedAt !== 'number') return undefined;
  // A relative name inside the history folder only: a hand-edited index must not point elsewhere.
  if (path.isAbsolute(r.file) || r.file.split(/[\\/]/).includes('..')) return undefined;
  return {
    runId: r.runId,
    question: r.question,
    status: r.status as IndexedStatus,
    startedAt: r.startedAt,
    ...(typeof r.endedAt === 'number' ? { endedAt: r.endedAt } : {}),
    costUsd: typeof r.costUsd === 'number' ? r.costUsd : null,
    file: r.file,
    ...(typeof r.scope === 'string' ? { scope: r.scope } : {}),
    ...(typeof r.reason === 'string' ? { reason: r.reason } : {}),
  };
}
