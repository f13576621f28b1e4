/**
 * results.jsonl: one line per finished question and mode, appended as each finishes, so an
 * interrupted evaluation keeps everything it finished and a rerun with the same --out resumes.
 */
import { appendFileSync, promises as fsp } from 'node:fs';
import type { ModelUsage } from '../llm/types';
import type { RunStatus } from '../trace/types';

/** rlm: the Recursive Language Model; direct: the same model asked once with the files pasted in. */
export type Mode = 'rlm' | 'direct';
export const MODES: readonly Mode[] = ['rlm', 'direct'];

export interface QuestionResult {
  mode: Mode;
  id: string;
  fingerprint: string;
  tags: string[];
  status: RunStatus;
  reason?: string;
  /** The model's answer, cut to 200 characters. */
  answer?: string;
  /** The letter read from the answer; null when there was none or it was malformed. */
  letter: string | null;
  expected: string;
  correct: boolean;
  /** An answer came back but was not one offered letter. */
  malformed: boolean;
  turns: number;
  subcalls: number;
  usage: Record<string, ModelUsage>;
  /** null when a used model's price is unknown. */
  costUsd: number | null;
  ms: number;
  /** The question's trace, relative to the output folder. */
  trace: string;
  /** Direct mode: what was pasted. */
  pasted?: { files: number; included: number; chars: number; cut: boolean };
}

export const RESULTS_FILE = 'results.jsonl';

export function resultKey(r: { mode: Mode; id: string }): string {
  return `${r.mode}/${r.id}`;
}

/** Stored results by key (a later line wins); damaged lines (a crash mid-write) are skipped. */
export async function readResults(file: string): Promise<Map<string, QuestionResult>> {
  const out = new Map<string, QuestionResult>();
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw err;
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as QuestionResult;
      if (r && typeof r.id === 'string' && MODES.includes(r.mode)) out.set(resultKey(r), r);
    } catch {
      /* a line cut by a crash: that question is asked again */
    }
  }
  return out;
}

/** A last line cut by a crash: start on a fresh line, so that line stays the only damage. */
export async function endOnNewline(file: string): Promise<void> {
  const text = await fsp.readFile(file, 'utf8').catch(() => '');
  if (text && !text.endsWith('\n')) await fsp.appendFile(file, '\n');
}

/** Appends one result as one line (JSON escapes newlines inside strings). */
export function appendResult(file: string, r: QuestionResult): void {
  appendFileSync(file, `${JSON.stringify(r)}\n`);
}

/** Whether a stored result counts as finished (an interrupted or cancelled question is asked again). */
export function isFinished(r: QuestionResult | undefined, fingerprint: string, retryFailed: boolean): boolean {
  if (!r || r.fingerprint !== fingerprint) return false;
  if (r.status === 'cancelled' || r.status === 'interrupted') return false;
  return !(retryFailed && r.status === 'failed');
}
