import * as assert from 'node:assert/strict';
import { costUsd, formatCost, lookupPrice, UsageMeter } from '../../../src/core/llm/usage';
import { backoffDelay, parseRetryAfter } from '../../../src/core/llm/retry';

const prices = { 'gpt-5-mini': { input: 0.25, output: 2 }, 'openai/gpt-5': { input: 1.25, output: 10 } };

describe('UsageMeter and prices', () => {
  it('counts usage per model', () => {
    const m = new UsageMeter(prices);
    m.record('gpt-5-mini', { promptTokens: 100, completionTokens: 10 });
    m.record('gpt-5-mini', { promptTokens: 50, completionTokens: 5 });
    m.record('other', { promptTokens: 1, completionTokens: 1 }, true);
    assert.deepEqual(m.usage(), {
      'gpt-5-mini': { promptTokens: 150, completionTokens: 15, calls: 2 },
      other: { promptTokens: 1, completionTokens: 1, calls: 1 },
    });
    assert.deepEqual(m.totals(), { promptTokens: 151, completionTokens: 16, calls: 3 });
    assert.deepEqual(m.estimatedModels(), ['other']);
  });

  it('prices known models in USD per million tokens', () => {
    const m = new UsageMeter(prices);
    m.record('gpt-5-mini', { promptTokens: 1_000_000, completionTokens: 500_000 });
    assert.equal(m.totalCost(), 0.25 + 1);
    assert.equal(formatCost(m.totalCost()), '$1.25');
  });

  it('an unknown price is null, never zero, and makes the total unknown', () => {
    const m = new UsageMeter(prices);
    m.record('gpt-5-mini', { promptTokens: 1000, completionTokens: 0 });
    m.record('llama3', { promptTokens: 1000, completionTokens: 0 });
    assert.equal(m.costByModel()['llama3'], null);
    assert.equal(m.costByModel()['gpt-5-mini'], 0.00025);
    assert.equal(m.totalCost(), null);
    assert.equal(formatCost(null), 'unknown');
    assert.equal(new UsageMeter().totalCost(), 0, 'no calls cost nothing');
  });

  it('finds prices across provider prefixes and date snapshots', () => {
    assert.deepEqual(lookupPrice(prices, 'openai/gpt-5-mini'), prices['gpt-5-mini']);
    assert.deepEqual(lookupPrice(prices, 'gpt-5-mini-2025-08-07'), prices['gpt-5-mini']);
    assert.deepEqual(lookupPrice(prices, 'gpt-5'), prices['openai/gpt-5']);
    assert.equal(lookupPrice(prices, 'gpt-5-nano'), undefined);
    assert.equal(costUsd({ promptTokens: 1, completionTokens: 1 }, undefined), null);
  });
});

describe('retry timing', () => {
  const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n.toLowerCase()] ?? null });

  it('reads Retry-After as seconds, HTTP date or retry-after-ms, capped', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter(headers({ 'retry-after': '3' }), 60_000, now), 3000);
    assert.equal(parseRetryAfter(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }), 60_000, now), 7000);
    assert.equal(parseRetryAfter(headers({ 'retry-after-ms': '250', 'retry-after': '9' }), 60_000, now), 250);
    assert.equal(parseRetryAfter(headers({ 'retry-after': '3600' }), 60_000, now), 60_000);
    assert.equal(parseRetryAfter(headers({ 'retry-after': 'soon' }), 60_000, now), undefined);
    assert.equal(parseRetryAfter(headers({}), 60_000, now), undefined);
  });

  it('backs off exponentially with bounded jitter', () => {
    assert.equal(backoffDelay(1, 500, 20_000, () => 0), 250);
    assert.equal(backoffDelay(1, 500, 20_000, () => 1), 500);
    assert.equal(backoffDelay(3, 500, 20_000, () => 1), 2000);
    assert.equal(backoffDelay(10, 500, 20_000, () => 1), 20_000);
  });
});
