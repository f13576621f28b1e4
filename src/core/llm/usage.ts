import type { ChatModel, CompleteOptions, Completion, ModelPrice, ModelUsage, PriceTable, TokenUsage } from './types';

/**
 * List prices in USD per million tokens, as published by OpenAI in 2025. A starting point only:
 * users override them in settings (or --prices); a model missing here has an unknown cost, never zero.
 */
export const DEFAULT_PRICES: PriceTable = {
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
};

/** Lower-case, without a provider prefix ("openai/gpt-5-mini") or a date snapshot ("-2025-08-07"). */
function normalise(model: string): string {
  const name = model.trim().toLowerCase();
  const bare = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
  return bare.replace(/-\d{4}-\d{2}-\d{2}$/, '');
}

/**
 * The price of `model`: an exact entry wins; else the entry whose normalised name matches, so
 * "openai/gpt-5-mini" (OpenRouter) and "gpt-5-mini-2025-08-07" find "gpt-5-mini" and the reverse.
 */
export function lookupPrice(prices: PriceTable | undefined, model: string): ModelPrice | undefined {
  if (!prices) return undefined;
  if (Object.prototype.hasOwnProperty.call(prices, model)) return valid(prices[model]);
  const want = normalise(model);
  for (const [name, price] of Object.entries(prices)) {
    if (normalise(name) === want) return valid(price);
  }
  return undefined;
}

function valid(p: ModelPrice | undefined): ModelPrice | undefined {
  return p && Number.isFinite(p.input) && Number.isFinite(p.output) && p.input >= 0 && p.output >= 0 ? p : undefined;
}

/** Why a cost cap cannot hold for these models (the first one without a price, named with how to
 *  price it); undefined when there is no cap or every model has a price. */
export function costCapProblem(maxCostUsd: number, prices: PriceTable, models: string[]): string | undefined {
  if (!Number.isFinite(maxCostUsd)) return undefined;
  const model = models.find((m) => !lookupPrice(prices, m));
  if (model === undefined) return undefined;
  return `Model "${model}" has no price, so the cost cap of $${maxCostUsd} cannot be enforced. Give it a price in USD per million tokens (CLI: --price ${model}=IN,OUT; VS Code: the "rlm.prices" setting) or remove the cost cap.`;
}

/** USD for `usage` at `price`; null when the price is unknown. */
export function costUsd(usage: TokenUsage, price: ModelPrice | undefined): number | null {
  if (!price) return null;
  return (usage.promptTokens * price.input + usage.completionTokens * price.output) / 1_000_000;
}

/** Usage per model over a run (or a run tree), and what it cost. */
export class UsageMeter {
  private readonly byModel = new Map<string, ModelUsage & { estimated: boolean }>();

  constructor(private readonly prices: PriceTable = {}) {}

  record(model: string, usage: TokenUsage, estimated = false): void {
    const u = this.byModel.get(model) ?? { promptTokens: 0, completionTokens: 0, calls: 0, estimated: false };
    u.promptTokens += usage.promptTokens;
    u.completionTokens += usage.completionTokens;
    u.calls += 1;
    u.estimated ||= estimated;
    this.byModel.set(model, u);
  }

  /** A fresh copy, keyed by model, in the shape run.end carries. */
  usage(): Record<string, ModelUsage> {
    const out: Record<string, ModelUsage> = {};
    for (const [m, u] of this.byModel) out[m] = { promptTokens: u.promptTokens, completionTokens: u.completionTokens, calls: u.calls };
    return out;
  }

  /** Models whose counts include estimates (the endpoint reported no usage). */
  estimatedModels(): string[] {
    return [...this.byModel].filter(([, u]) => u.estimated).map(([m]) => m);
  }

  totals(): ModelUsage {
    const t = { promptTokens: 0, completionTokens: 0, calls: 0 };
    for (const u of this.byModel.values()) {
      t.promptTokens += u.promptTokens;
      t.completionTokens += u.completionTokens;
      t.calls += u.calls;
    }
    return t;
  }

  /** Cost of one call by `model`; null when its price is unknown. */
  costOf(model: string, usage: TokenUsage): number | null {
    return costUsd(usage, lookupPrice(this.prices, model));
  }

  /** Cost per model; null where the price is unknown. */
  costByModel(): Record<string, number | null> {
    const out: Record<string, number | null> = {};
    for (const [m, u] of this.byModel) out[m] = this.costOf(m, u);
    return out;
  }

  /** Total USD; null as soon as one used model's price is unknown (a partial sum would read as the whole). */
  totalCost(): number | null {
    let total = 0;
    for (const [m, u] of this.byModel) {
      const c = this.costOf(m, u);
      if (c === null) return null;
      total += c;
    }
    return total;
  }
}

/** A ChatModel that records every completion in `meter` (and hands the completion on unchanged). */
export function meteredModel(model: ChatModel, meter: UsageMeter): ChatModel {
  return {
    id: model.id,
    async complete(messages, options?: CompleteOptions): Promise<Completion> {
      const c = await model.complete(messages, options);
      meter.record(c.model, c.usage, c.usageEstimated === true);
      return c;
    },
  };
}

/** "$0.0123", or "unknown" when the cost is null. */
export function formatCost(usd: number | null): string {
  if (usd === null) return 'unknown';
  return usd < 0.01 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}
