/** Budgets count what they claim: the model-request budget counts every request of the run tree
 *  (child runs' turns included), and a cost cap never silently stops applying. */
import { strict as assert } from 'node:assert';
import { RunState } from '../../../src/core/rlm/runState';
import { DEFAULT_BUDGETS } from '../../../src/core/rlm/types';
import type { FakeRequestInfo } from '../../fakeServer/server';
import { harness, js, type Harness } from './harness';

const isChild = (req: FakeRequestInfo) => req.messages.some((m) => m.role === 'user' && m.content.includes('CHILDQ'));

describe('budgets count what they claim', function () {
  this.timeout(120_000);
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('child runs that never finish: their root turns count toward the model-request budget', async () => {
    h = await harness({
      models: {
        'root-model': {
          // Children only print; the parent starts ten of them one after another.
          rule: (req) => (isChild(req) ? js('print("still working")') : js('for (let i = 0; i < 10; i++) { try { await rlm_query("CHILDQ " + i) } catch (e) { print(e.message) } }')),
        },
      },
    });
    const r = await h.run('q', { budgets: { maxDepth: 2, maxSubcalls: 10, maxIterations: 10, maxModelRequests: 25 } });
    const sent = h.server.requests.filter((x) => x.model === 'root-model').length;
    assert.equal(r.status, 'budget', r.reason);
    assert.match(r.reason ?? '', /Model-request budget of 25 used up/);
    assert.ok(sent <= 25, `${sent} root-model requests for a budget of 25`);
    assert.ok(h.server.requests.some((x) => isChild({ messages: (x.body as { messages: FakeRequestInfo['messages'] }).messages } as FakeRequestInfo)), 'child runs did run');
    assert.ok(r.subcalls <= 10);
  });

  it('counts sub-calls as model requests too, and stops before sending past the budget', async () => {
    h = await harness({ models: { 'root-model': { turns: [js("print((await llm_batch(['a','b','c','d','e','f','g','h'])).length)"), js("FINAL('x')")] } } });
    const r = await h.run('q', { budgets: { maxModelRequests: 5 } });
    assert.equal(r.status, 'budget', r.reason);
    assert.ok(h.server.stats().chatRequests <= 5, `${h.server.stats().chatRequests} requests`);
  });

  it('a cost cap with an unpriced sub-model refuses the run before any request, naming the model and how to price it', async () => {
    h = await harness({ models: { 'root-model': { turns: [js("FINAL(await llm_query('hi'))")] } } });
    // The run still ends with run.end (the core owns its end), failed with the reason.
    const r = await h.run('q', { budgets: { maxCostUsd: 0.002 }, prices: { 'root-model': { input: 1, output: 1 } } });
    assert.equal(r.status, 'failed');
    assert.match(r.reason ?? '', /Model "sub-model" has no price, so the cost cap of \$0\.002 cannot be enforced/);
    assert.match(r.reason ?? '', /--price sub-model=IN,OUT/);
    assert.match(r.reason ?? '', /"rlm\.prices"/);
    assert.equal(h.server.stats().chatRequests, 0);
  });

  it('with every model priced the capped run goes ahead; without a cap unknown prices are fine', async () => {
    h = await harness({ models: { 'root-model': { turns: [js("FINAL(await llm_query('hi'))"), js("FINAL(await llm_query('hi'))")] } } });
    const priced = await h.run('q', { budgets: { maxCostUsd: 5 }, prices: { 'root-model': { input: 1, output: 1 }, 'sub-model': { input: 1, output: 1 } } });
    assert.equal(priced.status, 'answered', priced.reason);
    const uncapped = await h.run('q', { prices: {} });
    assert.equal(uncapped.status, 'answered', uncapped.reason);
    assert.equal(uncapped.costUsd, null);
  });

  it('stops the run when an unpriced model is used under a cost cap (never a silent off switch)', () => {
    const state = new RunState('run', { ...DEFAULT_BUDGETS, maxCostUsd: 0.002 }, { priced: { input: 1, output: 1 } }, undefined, []);
    state.record('priced', { promptTokens: 10, completionTokens: 10 });
    assert.equal(state.stop, undefined);
    state.record('mystery', { promptTokens: 10, completionTokens: 10 });
    const stop = state.stop as RunState['stop'];
    assert.equal(stop?.status, 'budget');
    assert.match(stop?.reason ?? '', /Model "mystery" has no price/);
    state.dispose();
  });
});
