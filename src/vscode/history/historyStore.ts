/**
 * Run history on disk, under the extension's global storage:
 *   runs/<runId>.jsonl  the trajectory (core TrajectoryWriter: one redacted event per line, appended as it happens)
 *   index.jsonl         one line when a run starts and one when it ends. Append-only rather than
 *                       a rewritten JSON file, so several VS Code windows sharing the storage never
 *                       overwrite each other's runs.
 * A run with a start line but no end line, and not live in this window, was cut off by a crash or
 * a reload: it shows as interrupted. Damaged lines and files are skipped with a warning.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readTrajectory, TrajectoryWriter } from '../../core/trace/trajectory';
import type { TraceEvent, RunStatus } from '../../core/trace/types';

export interface HistoryEntry {
  runId: string;
  question: string;
  scope?: string;
  startedAt: number;
  status: RunStatus | 'running';
  costUsd: number | null;
  ms?: number;
}

type IndexLine =
  | { kind: 'start'; runId: string; question: string; scope?: string; startedAt: number }
  | { kind: 'end'; runId: string; status: RunStatus; costUsd: number | null; ms: number }
  | { kind: 'delete'; runId: string };

const RUN_ID = /^[A-Za-z0-9_.-]{1,128}$/;

export class HistoryStore {
  readonly runsDir: string;
  private readonly indexFile: string;
  private readonly live = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly warned = new Set<string>();
  private readonly writers = new Map<string, Promise<TrajectoryWriter>>();

  constructor(
    storageDir: string,
    private readonly warn: (message: string) => void,
  ) {
    this.runsDir = path.join(storageDir, 'runs');
    this.indexFile = path.join(storageDir, 'index.jsonl');
  }

  trajectoryPath(runId: string): string {
    if (!RUN_ID.test(runId)) throw new Error(`bad run id: ${runId}`);
    return path.join(this.runsDir, `${runId}.jsonl`);
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

  /** `secrets` are masked in the trajectory (on top of the engine's own redaction). */
  beginRun(start: Extract<TraceEvent, { type: 'run.start' }>, secrets: string[] = []): void {
    this.live.add(start.runId);
    const writer = fs.promises.mkdir(this.runsDir, { recursive: true }).then(() => TrajectoryWriter.open(this.trajectoryPath(start.runId), { secrets }));
    writer.catch(() => undefined);
    this.writers.set(start.runId, writer);
    const line: IndexLine = { kind: 'start', runId: start.runId, question: start.question, scope: start.scope, startedAt: start.ts };
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

  endRun(runId: string, status: RunStatus, costUsd: number | null, ms: number): Promise<void> {
    const line: IndexLine = { kind: 'end', runId, status, costUsd, ms };
    const writer = this.writers.get(runId);
    this.writers.delete(runId);
    return this.enqueue(async () => {
      await fs.promises.appendFile(this.indexFile, JSON.stringify(line) + '\n');
      this.live.delete(runId);
      await (await writer?.catch(() => undefined))?.close();
    });
  }

  /** The same warning once per session, not on every refresh of the view. */
  private warnOnce(message: string): void {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.warn(message);
  }

  isLive(runId: string): boolean {
    return this.live.has(runId);
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
        if (!line || typeof line.runId !== 'string' || !RUN_ID.test(line.runId)) throw new Error('bad line');
      } catch {
        damaged++;
        continue;
      }
      if (line.kind === 'start') {
        entries.set(line.runId, { runId: line.runId, question: String(line.question ?? ''), scope: line.scope, startedAt: Number(line.startedAt) || 0, status: 'running', costUsd: null });
      } else if (line.kind === 'end') {
        const e = entries.get(line.runId);
        if (e) Object.assign(e, { status: line.status, costUsd: line.costUsd ?? null, ms: line.ms });
      } else if (line.kind === 'delete') {
        entries.delete(line.runId);
      }
    }
    if (damaged > 0) this.warnOnce(`RLM history: skipped ${damaged} damaged line(s) in the history index.`);
    for (const e of entries.values()) {
      if (e.status === 'running' && !this.live.has(e.runId)) e.status = 'interrupted';
    }
    return [...entries.values()].sort((a, b) => b.startedAt - a.startedAt);
  }

  /** The trajectory's events; damaged lines are skipped and counted. Throws when the file is missing. */
  async readTrajectory(runId: string): Promise<{ events: TraceEvent[]; damaged: number }> {
    await this.flush();
    const { events, warnings } = await readTrajectory(this.trajectoryPath(runId));
    return { events, damaged: warnings.length };
  }

  delete(runId: string): Promise<void> {
    const line: IndexLine = { kind: 'delete', runId };
    return this.enqueue(async () => {
      await fs.promises.appendFile(this.indexFile, JSON.stringify(line) + '\n');
      await fs.promises.rm(this.trajectoryPath(runId), { force: true });
    });
  }

  clear(): Promise<void> {
    return this.enqueue(async () => {
      const live = [...this.live];
      const files = await fs.promises.readdir(this.runsDir).catch(() => [] as string[]);
      for (const f of files) {
        if (!live.some((id) => f === `${id}.jsonl`)) await fs.promises.rm(path.join(this.runsDir, f), { force: true });
      }
      // Keep the start lines of live runs so they still end properly.
      const keep = await fs.promises.readFile(this.indexFile, 'utf8').catch(() => '');
      const kept = keep.split('\n').filter((l) => live.some((id) => l.includes(`"runId":"${id}"`)));
      await fs.promises.writeFile(this.indexFile, kept.map((l) => l + '\n').join(''));
    });
  }
}
