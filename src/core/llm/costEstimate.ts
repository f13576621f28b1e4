/**
 * What a run is likely to cost, before it starts: from the user's own past runs (median and 90th
 * percentile of their tokens, priced at today's prices for today's models), or, with fewer than
 * MIN_HISTORY past runs, from the size of the workspace map. Pure: the hosts bring the history.
 */
import { costUsd, formatCost, lookupPrice } from './usage';
import type { ModelUsage, PriceTable, TokenUsage } from './types';

/** A past run's tokens, split by role: the root model's turns and everything else (sub-calls). */
export interface RunTokens {
  root: TokenUsage;
  sub: TokenUsage;
}

/** Past runs needed before their spread says more than the workspace's size. */
export const MIN_HISTORY = 3;

/** How big the workspace is, as its map says. */
export interface MapSize {
  files: number;
  bytes: number;
}

export interface CostEstimate {
  /** 'history': from `runs` past runs; 'workspace': from the map's size (too little history). */
  basis: 'history' | 'workspace';
  runs: number;
  tokens: { median: number; p90: number };
  /** null when a model has no price. */
  usd: { median: number | null; p90: number | null };
  /** One line for people: "~$0.04 (90% of runs under $0.12) — from your last 12 runs". */
  text: string;
}

export interface EstimateInput {
  size: MapSize;
  rootModel: string;
  subModel: string;
  prices: PriceTable;
  history: readonly RunTokens[];
  /** The run's token budget: no run spends more. */
  maxTokens?: number;
}

/** Splits a run.end's usage (by model) into the root model's and the rest. */
export function runTokens(usage: Record<string, ModelUsage>, rootModel: string): RunTokens {
  const root = { promptTokens: 0, completionTokens: 0 };
  const sub = { promptTokens: 0, completionTokens: 0 };
  for (const [model, u] of Object.entries(usage)) {
    const into = model === rootModel ? root : sub;
    into.promptTokens += u.promptTokens;
    into.completionTokens += u.completionTokens;
  }
  return { root, sub };
}

// Without history, a run is modelled from what the RLM does with a map: the root model's turns
// carry the system prompt, the map's summary and the REPL replies (~6 turns of ~6,000 tokens at
// the median, ~20 at the 90th percentile); sub-calls read a share of the workspace's text (4 bytes
// a token): a tenth at the median, half at the 90th percentile, capped as the default budgets cap it.
const ROOT_TURNS = { median: 6, p90: 20 };
const ROOT_PROMPT_PER_TURN = 6_000;
const ROOT_COMPLETION_PER_TURN = 500;
const SUB_SHARE = { median: 0.1, p90: 0.5 };
const SUB_CAP = { median: 150_000, p90: 1_000_000 };
const SUB_COMPLETION_SHARE = 0.05;

/** The modelled run of a workspace of this size (see above), at the median or the 90th percentile. */
export function modelledRun(size: MapSize, at: 'median' | 'p90'): RunTokens {
  const subPrompt = Math.round(Math.min((size.bytes / 4) * SUB_SHARE[at], SUB_CAP[at]));
  return {
    root: { promptTokens: ROOT_TURNS[at] * ROOT_PROMPT_PER_TURN, completionTokens: ROOT_TURNS[at] * ROOT_COMPLETION_PER_TURN },
    sub: { promptTokens: subPrompt, completionTokens: Math.round(subPrompt * SUB_COMPLETION_SHARE) },
  };
}

export function estimateCost(input: EstimateInput): CostEstimate {
  const rootPrice = lookupPrice(input.prices, input.rootModel);
  const subPrice = lookupPrice(input.prices, input.subModel);
  const cap = input.maxTokens ?? Infinity;
  const tokensOf = (t: RunTokens) => Math.min(cap, t.root.promptTokens + t.root.completionTokens + t.sub.promptTokens + t.sub.completionTokens);
  const usdOf = (t: RunTokens): number | null => {
    const r = costUsd(t.root, rootPrice);
    const s = costUsd(t.sub, subPrice);
    if (r === null || s === null) return null;
    const total = tokensOf(t);
    const raw = t.root.promptTokens + t.root.completionTokens + t.sub.promptTokens + t.sub.completionTokens;
    // Cut by the token budget: the same share of the cost.
    return raw > total && raw > 0 ? ((r + s) * total) / raw : r + s;
  };
  const runs = input.history.filter(validTokens);
  if (runs.length >= MIN_HISTORY) {
    const tokens = runs.map(tokensOf);
    const usd = runs.map(usdOf);
    const priced = usd.every((u) => u !== null) ? (usd as number[]) : undefined;
    const est = {
      tokens: { median: quantile(tokens, 0.5), p90: quantile(tokens, 0.9) },
      usd: { median: priced ? quantile(priced, 0.5) : null, p90: priced ? quantile(priced, 0.9) : null },
    };
    return { basis: 'history', runs: runs.length, ...est, text: `${describe(est)} — from your last ${runs.length} runs` };
  }
  const median = modelledRun(input.size, 'median');
  const p90 = modelledRun(input.size, 'p90');
  const est = { tokens: { median: tokensOf(median), p90: tokensOf(p90) }, usd: { median: usdOf(median), p90: usdOf(p90) } };
  const why = runs.length === 0 ? 'no history yet' : `only ${runs.length} past run${runs.length === 1 ? '' : 's'}`;
  return { basis: 'workspace', runs: runs.length, ...est, text: `${describe(est)} — ${why}: estimate from workspace size (${input.size.files.toLocaleString('en-US')} files)` };
}

/** Whether the user should confirm before the run: a cost cap is set and the 90th percentile is
 *  above it (or unknown: a model without a price cannot run under a cap anyway). */
export function needsConfirmation(estimate: CostEstimate, maxCostUsd: number): boolean {
  if (!Number.isFinite(maxCostUsd) || maxCostUsd <= 0) return false;
  return estimate.usd.p90 !== null && estimate.usd.p90 > maxCostUsd;
}

function describe(e: Pick<CostEstimate, 'tokens' | 'usd'>): string {
  const tokens = (n: number) => (n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 1000 ? `${Math.round(n / 1000)}k` : String(Math.round(n)));
  if (e.usd.median === null || e.usd.p90 === null) return `~${tokens(e.tokens.median)} tokens (90%: under ${tokens(e.tokens.p90)}); cost unknown (a model has no price)`;
  return `~${formatCost(e.usd.median)} (90%: under ${formatCost(e.usd.p90)}), ~${tokens(e.tokens.median)} tokens`;
}

function validTokens(t: RunTokens): boolean {
  const ok = (u: TokenUsage | undefined) => !!u && [u.promptTokens, u.completionTokens].every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0);
  return !!t && ok(t.root) && ok(t.sub);
}

/** Nearest-rank quantile (q in (0, 1]); the median of an even count is the mean of the middle two. */
export function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  if (q === 0.5 && s.length % 2 === 0) return (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
