import * as assert from 'node:assert/strict';
import { limitedModel, modelSlots } from '../../../src/core/llm/modelSlots';
import { ModelError } from '../../../src/core/llm/modelError';
import { OpenAIChatModel } from '../../../src/core/llm/openaiModel';
import { startFakeServer } from '../../fakeServer/server';

/** A task the test finishes by hand, so order and overlap are decided by the test, not by timers. */
function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { p, open };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('Semaphore (model slots)', () => {
  it('grants slots first come, first served', async () => {
    const limiter = modelSlots(1);
    const order: number[] = [];
    const first = gate();
    const running = [limiter.run(() => first.p.then(() => void order.push(0)))];
    for (let i = 1; i <= 4; i++) running.push(limiter.run(async () => void order.push(i)));
    await tick();
    assert.equal(limiter.active, 1);
    assert.equal(limiter.waiting, 4);
    first.open();
    await Promise.all(running);
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
    assert.equal(limiter.active, 0);
  });

  it('never runs more than its limit, and frees a slot when a task fails', async () => {
    const limiter = modelSlots(3);
    let now = 0;
    let peak = 0;
    const tasks = Array.from({ length: 20 }, (_, i) =>
      limiter
        .run(async () => {
          now++;
          peak = Math.max(peak, now);
          await tick();
          now--;
          if (i % 5 === 0) throw new Error('boom');
          return i;
        })
        .catch(() => -1),
    );
    const results = await Promise.all(tasks);
    assert.equal(peak, 3);
    assert.equal(results.filter((r) => r === -1).length, 4);
    assert.equal(limiter.active, 0);
  });

  it('stops waiting on abort and leaves the queue in order', async () => {
    const limiter = modelSlots(1);
    const hold = gate();
    const first = limiter.run(() => hold.p);
    const ac = new AbortController();
    const order: string[] = [];
    const aborted = limiter.run(async () => void order.push('aborted'), ac.signal);
    const next = limiter.run(async () => void order.push('next'));
    ac.abort();
    await assert.rejects(aborted, (e: unknown) => e instanceof ModelError && e.code === 'cancelled');
    assert.equal(limiter.waiting, 1);
    hold.open();
    await Promise.all([first, next]);
    assert.deepEqual(order, ['next']);
  });

  it('rejects at once when already aborted', async () => {
    const limiter = modelSlots(2);
    await assert.rejects(limiter.acquire(AbortSignal.abort()));
    assert.equal(limiter.active, 0);
  });

  it('keeps in-flight requests at the fake server within the limit', async () => {
    const server = await startFakeServer({ latencyMs: 30 });
    try {
      const limiter = modelSlots(4);
      const model = limitedModel(new OpenAIChatModel({ baseURL: server.url, apiKey: 'k', model: 'sub' }), limiter);
      const replies = await Promise.all(
        Array.from({ length: 16 }, (_, i) => model.complete([{ role: 'user', content: `part ${i}` }])),
      );
      assert.deepEqual(replies.map((r) => r.text), Array.from({ length: 16 }, (_, i) => `fake reply to: part ${i}`));
      assert.equal(server.stats().chatRequests, 16);
      assert.ok(server.stats().maxInFlight <= 4, `max in flight ${server.stats().maxInFlight}`);
      assert.ok(server.stats().maxInFlight >= 2, 'calls did overlap');
    } finally {
      await server.close();
    }
  });
});
