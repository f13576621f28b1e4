/**
 * `rlm eval`: asks every question of a dataset, in each mode, and writes the results, a summary
 * and a report. Questions run a few at once; every model call of every question goes through one
 * shared limiter, so the eval as a whole never has more than `concurrency` calls in flight. Each
 * finished question is appended to results.jsonl at once: stopping (abort) loses only the
 * questions in flight, and a rerun into the same folder asks only what is not finished.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { RlmError, safeMessage } from '../errors';
import { limitedModel, modelSlots } from '../llm/modelSlots';
import type { ChatModel, PriceTable } from '../llm/types';
import { Run, type RunEnv } from '../rlm/run';
import { DEFAULT_BUDGETS, type Budgets } from '../rlm/types';
import type { SandboxLimits } from '../sandbox/types';
import { TrajectoryWriter } from '../trace/trajectory';
import type { TraceEvent } from '../trace/types';
import { NodeFileSource, scanWorkspace, type ScanOptions, type WorkspaceAccess } from '../workspace';
import { accuracyCostSvg } from './chart';
import { directQuestion, parseLetter, rlmQuestion } from './choice';
import { type EvalItem, letters, loadDataset } from './dataset';
import { askDirect, DEFAULT_DIRECT_CHARS } from './direct';
import { CHART_FILE, REPORT_FILE, reportMarkdown, SUMMARY_FILE, summaryJson } from './report';
import { appendResult, endOnNewline, isFinished, type Mode, MODES, type QuestionResult, readResults, resultKey, RESULTS_FILE } from './results';
import { claimOutDir } from './settings';
import { type ModeSummary, summarize } from './stats';

export const DEFAULT_PARALLEL = 4;

export interface EvalOptions {
  dataset: string;
  outDir: string;
  rootModel: ChatModel;
  subModel: ChatModel;
  /** Default ['rlm']; add 'direct' for the baseline. */
  modes?: Mode[];
  budgets?: Partial<Budgets>;
  sandboxLimits?: Partial<SandboxLimits>;
  prices?: PriceTable;
  /** Scan options for every repository (extra excludes, ripgrep path, …). */
  scan?: Omit<ScanOptions, 'signal'>;
  /** Questions at once (default 4). */
  parallel?: number;
  /** Model calls in flight over the whole eval (default: budgets.concurrency, else 8). */
  concurrency?: number;
  /** Direct baseline context size in characters (default 800,000). */
  directChars?: number;
  /** Ask again the questions whose stored result is `failed`. */
  retryFailed?: boolean;
  /** Endpoint host, for the report. */
  endpoint?: string;
  signal?: AbortSignal;
  onProgress?: (p: EvalProgress) => void;
}

export type EvalProgress =
  | { type: 'start'; questions: number; runs: number; resumed: number; toAsk: number }
  | { type: 'question.start'; mode: Mode; id: string }
  | { type: 'question.end'; result: QuestionResult; done: number; toAsk: number };

export interface EvalOutcome {
  /** Every question finished in every mode asked (false after a stop). */
  complete: boolean;
  summaries: ModeSummary[];
  /** Questions asked by this call, and those taken from earlier results. */
  asked: number;
  resumed: number;
  files: { results: string; summary: string; report: string; chart: string };
}

interface Task {
  item: EvalItem;
  mode: Mode;
}

export async function runEval(o: EvalOptions, env: RunEnv): Promise<EvalOutcome> {
  const signal = o.signal ?? new AbortController().signal;
  const modes = o.modes?.length ? MODES.filter((m) => o.modes!.includes(m)) : (['rlm'] as Mode[]);
  const items = await loadDataset(o.dataset);
  const budgets = { ...DEFAULT_BUDGETS, ...defined(o.budgets ?? {}) };
  const concurrency = o.concurrency ?? budgets.concurrency;
  const parallel = o.parallel ?? DEFAULT_PARALLEL;
  if (!Number.isInteger(parallel) || parallel < 1) throw new RlmError('questions at once must be a whole number of at least 1', 'eval-config');
  const { concurrency: _c, ...perQuestion } = budgets;
  const settings = await claimOutDir(o.outDir, {
    dataset: o.dataset,
    rootModel: o.rootModel.id,
    subModel: o.subModel.id,
    endpoint: o.endpoint,
    budgets: perQuestion,
    directChars: o.directChars ?? DEFAULT_DIRECT_CHARS,
    modes,
  });

  const resultsFile = join(o.outDir, RESULTS_FILE);
  await endOnNewline(resultsFile);
  const stored = await readResults(resultsFile);
  const tasks: Task[] = [];
  let resumed = 0;
  for (const item of items) {
    for (const mode of modes) {
      if (isFinished(stored.get(resultKey({ mode, id: item.id })), item.fingerprint, o.retryFailed === true)) resumed++;
      else tasks.push({ item, mode });
    }
  }
  o.onProgress?.({ type: 'start', questions: items.length, runs: items.length * modes.length, resumed, toAsk: tasks.length });

  // One limiter for every model call of the eval; each run's own limiter still caps its sub-calls.
  const limiter = modelSlots(concurrency);
  const root = limitedModel(o.rootModel, limiter);
  const sub = o.subModel === o.rootModel ? root : limitedModel(o.subModel, limiter);
  const workspaces = new RepoScans(tasks.map((t) => t.item.repo), o.scan ?? {});
  let done = 0;

  const ask = async (t: Task): Promise<QuestionResult | undefined> => {
    o.onProgress?.({ type: 'question.start', mode: t.mode, id: t.item.id });
    const trace = `traces/${t.mode}/${t.item.id}.jsonl`;
    const traceFile = join(o.outDir, trace);
    await fsp.rm(traceFile, { force: true });
    const writer = await TrajectoryWriter.open(traceFile);
    const onEvent = (e: TraceEvent) => writer.append(e);
    const started = Date.now();
    try {
      const workspace = await workspaces.get(t.item.repo, signal);
      if (t.mode === 'direct') {
        const d = await askDirect({ question: t.item.question, prompt: directQuestion(t.item), workspace, model: root, prices: o.prices ?? {}, maxChars: settings.directChars, signal, onEvent, secrets: env.secrets });
        return score(t, trace, { ...d, turns: d.answer === undefined ? 0 : 1, subcalls: 0 });
      }
      const r = await new Run(
        { question: rlmQuestion(t.item), workspace, rootModel: root, subModel: sub, budgets: { ...budgets, concurrency }, sandboxLimits: o.sandboxLimits, prices: o.prices, signal, onEvent },
        env,
      ).start();
      return score(t, trace, { ...r, turns: r.iterations });
    } catch (err) {
      if (signal.aborted) return undefined;
      const reason = safeMessage(err, `unexpected error: ${(err as Error)?.message ?? err}`);
      return score(t, trace, { status: 'failed', reason, turns: 0, subcalls: 0, usage: {}, costUsd: null, ms: Date.now() - started });
    } finally {
      workspaces.release(t.item.repo);
      await writer.close();
    }
  };

  const queue = [...tasks];
  const worker = async () => {
    for (let t = queue.shift(); t && !signal.aborted; t = queue.shift()) {
      const result = await ask(t);
      // A cancelled question is not finished: the next run asks it again.
      if (!result || result.status === 'cancelled' || signal.aborted) continue;
      appendResult(resultsFile, result);
      done++;
      o.onProgress?.({ type: 'question.end', result, done, toAsk: tasks.length });
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, Math.max(1, tasks.length)) }, worker));

  // The report covers this dataset's current questions in every mode that has results for them.
  const all = await readResults(resultsFile);
  const current = new Map<string, QuestionResult>();
  for (const item of items) {
    for (const mode of MODES) {
      const r = all.get(resultKey({ mode, id: item.id }));
      if (r && r.fingerprint === item.fingerprint && r.status !== 'cancelled') current.set(resultKey(r), r);
    }
  }
  const shown = MODES.filter((m) => modes.includes(m) || [...current.values()].some((r) => r.mode === m));
  const summaries = shown.map((m) => summarize(m, [...current.values()]));
  const complete = items.every((item) => modes.every((mode) => current.has(resultKey({ mode, id: item.id }))));
  const input = { settings: { ...settings, budgets: perQuestion }, items, results: current, summaries, complete, finishedAt: new Date() };
  const files = { results: resultsFile, summary: join(o.outDir, SUMMARY_FILE), report: join(o.outDir, REPORT_FILE), chart: join(o.outDir, CHART_FILE) };
  await fsp.writeFile(files.summary, summaryJson(input));
  await fsp.writeFile(files.chart, accuracyCostSvg(summaries));
  await fsp.writeFile(files.report, reportMarkdown(input));
  return { complete, summaries, asked: done, resumed, files };
}

type Ended = Pick<QuestionResult, 'status' | 'turns' | 'subcalls' | 'usage' | 'costUsd' | 'ms'> & { answer?: string; reason?: string; pasted?: QuestionResult['pasted'] };

function score(t: Task, trace: string, e: Ended): QuestionResult {
  const letter = e.status === 'answered' || e.status === 'forced' ? parseLetter(e.answer, letters(t.item)) : undefined;
  return {
    mode: t.mode,
    id: t.item.id,
    fingerprint: t.item.fingerprint,
    tags: t.item.tags,
    status: e.status,
    reason: e.reason,
    answer: e.answer === undefined ? undefined : e.answer.slice(0, 200),
    letter: letter ?? null,
    expected: t.item.answer,
    correct: letter === t.item.answer,
    malformed: e.answer !== undefined && letter === undefined,
    turns: e.turns,
    subcalls: e.subcalls,
    usage: e.usage,
    costUsd: e.costUsd,
    ms: e.ms,
    trace,
    ...(e.pasted ? { pasted: e.pasted } : {}),
  };
}

/** Each repository scanned once while questions about it remain; dropped after its last one. */
class RepoScans {
  private readonly pending = new Map<string, number>();
  private readonly scans = new Map<string, Promise<WorkspaceAccess>>();

  constructor(
    repos: string[],
    private readonly options: Omit<ScanOptions, 'signal'>,
  ) {
    for (const r of repos) this.pending.set(r, (this.pending.get(r) ?? 0) + 1);
  }

  get(repo: string, signal: AbortSignal): Promise<WorkspaceAccess> {
    let scan = this.scans.get(repo);
    if (!scan) {
      const name = repo.split(/[\\/]/).filter(Boolean).at(-1) ?? 'repo';
      scan = scanWorkspace([{ name, source: new NodeFileSource(repo) }], { ...this.options, signal });
      scan.catch(() => this.scans.delete(repo));
      this.scans.set(repo, scan);
    }
    return scan;
  }

  release(repo: string): void {
    const left = (this.pending.get(repo) ?? 1) - 1;
    this.pending.set(repo, left);
    if (left <= 0) this.scans.delete(repo);
  }
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
