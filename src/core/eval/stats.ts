/** Totals of an evaluation per mode: accuracy with a 95% Wilson interval, cost, turns, time. */
import type { ModelUsage } from '../llm/types';
import type { Mode, QuestionResult } from './results';

/** Two-sided 95% normal quantile. */
const Z95 = 1.959963984540054;

/**
 * Wilson score interval for k successes in n trials. Unlike the normal approximation it stays
 * inside [0, 1] and is sensible for small n and for accuracies near 0 or 1 (an eval of 20
 * questions is common). null for n = 0.
 */
export function wilson(k: number, n: number, z = Z95): { low: number; high: number } | null {
  if (n <= 0) return null;
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, center - half), high: Math.min(1, center + half) };
}

export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export interface ModeSummary {
  mode: Mode;
  questions: number;
  correct: number;
  wrong: number;
  /** Answers that were not one offered letter (counted wrong). */
  malformed: number;
  /** Runs that ended without an answer: failed or out of budget (counted wrong). */
  noAnswer: number;
  accuracy: number | null;
  ci95: { low: number; high: number } | null;
  /** null when a question's cost is unknown (no price for a model it used). */
  costUsd: number | null;
  costPerQuestion: number | null;
  /** null when the cost is unknown or nothing was answered correctly. */
  costPerCorrect: number | null;
  medianTurns: number | null;
  medianSubcalls: number | null;
  medianMs: number | null;
  usage: Record<string, ModelUsage>;
  /** Accuracy per tag, for tags that occur. */
  tags: Record<string, { questions: number; correct: number }>;
}

export function summarize(mode: Mode, results: QuestionResult[]): ModeSummary {
  const rs = results.filter((r) => r.mode === mode);
  const n = rs.length;
  const correct = rs.filter((r) => r.correct).length;
  const costs = rs.map((r) => r.costUsd);
  const costUsd = costs.some((c) => c === null) ? null : (costs as number[]).reduce((a, b) => a + b, 0);
  const usage: Record<string, ModelUsage> = {};
  const tags: ModeSummary['tags'] = {};
  for (const r of rs) {
    for (const [m, u] of Object.entries(r.usage)) {
      const t = (usage[m] ??= { promptTokens: 0, completionTokens: 0, calls: 0 });
      t.promptTokens += u.promptTokens;
      t.completionTokens += u.completionTokens;
      t.calls += u.calls;
    }
    for (const tag of r.tags) {
      const t = (tags[tag] ??= { questions: 0, correct: 0 });
      t.questions++;
      if (r.correct) t.correct++;
    }
  }
  return {
    mode,
    questions: n,
    correct,
    wrong: n - correct,
    malformed: rs.filter((r) => r.malformed).length,
    noAnswer: rs.filter((r) => r.answer === undefined).length,
    accuracy: n ? correct / n : null,
    ci95: wilson(correct, n),
    costUsd: n ? costUsd : null,
    costPerQuestion: n && costUsd !== null ? costUsd / n : null,
    costPerCorrect: correct && costUsd !== null ? costUsd / correct : null,
    medianTurns: median(rs.map((r) => r.turns)),
    medianSubcalls: median(rs.map((r) => r.subcalls)),
    medianMs: median(rs.map((r) => r.ms)),
    usage,
    tags,
  };
}
