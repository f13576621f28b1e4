import { strict as assert } from 'node:assert';
import { estimateCost, modelledRun, needsConfirmation, quantile, runTokens, type RunTokens } from '../../../src/core/llm/costEstimate';

const prices = { root: { input: 1, output: 2 }, sub: { input: 0.5, output: 1 } };
const run = (rootIn: number, subIn: number): RunTokens => ({ root: { promptTokens: rootIn, completionTokens: 0 }, sub: { promptTokens: subIn, completionTokens: 0 } });
const size = { files: 2_000, bytes: 8_000_000 };

describe('llm: cost estimate before a run', () => {
  it('with no history, estimates from the workspace size and says so', () => {
    const e = estimateCost({ size, rootModel: 'root', subModel: 'sub', prices, history: [] });
    assert.equal(e.basis, 'workspace');
    assert.match(e.text, /no history yet: estimate from workspace size \(2,000 files\)/);
    const m = modelledRun(size, 'median');
    // 6 turns x 6,000 prompt + 500 completion at root prices; a tenth of 2M workspace tokens at sub prices.
    assert.deepEqual(m, { root: { promptTokens: 36_000, completionTokens: 3_000 }, sub: { promptTokens: 150_000, completionTokens: 7_500 } });
    assert.equal(e.usd.median, (36_000 * 1 + 3_000 * 2 + 150_000 * 0.5 + 7_500 * 1) / 1e6);
    assert.ok(e.usd.p90! > e.usd.median!);
    // A bigger workspace costs more, up to the cap of what sub-calls read.
    const small = estimateCost({ size: { files: 100, bytes: 400_000 }, rootModel: 'root', subModel: 'sub', prices, history: [] });
    assert.ok(small.usd.p90! < e.usd.p90!);
    assert.equal(modelledRun({ files: 1e5, bytes: 3e8 }, 'p90').sub.promptTokens, 1_000_000);
  });

  it("from the user's past runs: median and 90th percentile tokens, priced at today's prices", () => {
    const history = [run(1000, 0), run(2000, 0), run(3000, 0), run(4000, 0), run(100_000, 0)];
    const e = estimateCost({ size, rootModel: 'root', subModel: 'sub', prices, history });
    assert.equal(e.basis, 'history');
    assert.equal(e.runs, 5);
    assert.deepEqual(e.tokens, { median: 3000, p90: 100_000 });
    assert.deepEqual(e.usd, { median: 0.003, p90: 0.1 });
    assert.match(e.text, /from your last 5 runs/);
    // Too few runs: the workspace decides, and says why.
    const few = estimateCost({ size, rootModel: 'root', subModel: 'sub', prices, history: history.slice(0, 2) });
    assert.equal(few.basis, 'workspace');
    assert.match(few.text, /only 2 past runs: estimate from workspace size/);
  });

  it('caps tokens at the budget, leaves cost unknown for an unpriced model, ignores damaged history', () => {
    const history = [run(10, 10), run(20, 20), run(30, 30), { root: { promptTokens: -1, completionTokens: 0 } } as unknown as RunTokens];
    const e = estimateCost({ size, rootModel: 'root', subModel: 'mystery', prices, history, maxTokens: 50 });
    assert.equal(e.runs, 3);
    assert.deepEqual(e.tokens, { median: 40, p90: 50 });
    assert.deepEqual(e.usd, { median: null, p90: null });
    assert.match(e.text, /cost unknown/);
  });

  it('asks to confirm only when a cap is set and the 90th percentile is above it', () => {
    const e = estimateCost({ size, rootModel: 'root', subModel: 'sub', prices, history: [run(1e6, 0), run(1e6, 0), run(2e6, 0)] });
    assert.equal(e.usd.p90, 2);
    assert.equal(needsConfirmation(e, Infinity), false);
    assert.equal(needsConfirmation(e, 0), false);
    assert.equal(needsConfirmation(e, 5), false);
    assert.equal(needsConfirmation(e, 1.5), true);
  });

  it('splits a run.end usage into root and sub tokens; quantiles', () => {
    assert.deepEqual(
      runTokens({ r: { promptTokens: 5, completionTokens: 1, calls: 1 }, s: { promptTokens: 7, completionTokens: 2, calls: 3 }, t: { promptTokens: 1, completionTokens: 1, calls: 1 } }, 'r'),
      { root: { promptTokens: 5, completionTokens: 1 }, sub: { promptTokens: 8, completionTokens: 3 } },
    );
    assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5);
    assert.equal(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9), 9);
    assert.equal(quantile([], 0.9), 0);
  });
});
