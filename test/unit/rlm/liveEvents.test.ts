import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DELTA_CHARS, replyStream } from '../../../src/core/rlm/replyStream';
import { RunState } from '../../../src/core/rlm/runState';
import { DEFAULT_BUDGETS } from '../../../src/core/rlm/types';
import { TrajectoryWriter } from '../../../src/core/trace/trajectory';
import type { ModelDeltaEvent, TraceEvent } from '../../../src/core/trace/types';
import { harness, js, type Harness } from './harness';

const deltas = (events: TraceEvent[]) => events.filter((e): e is ModelDeltaEvent => e.type === 'model.delta');

describe('live events: a streaming reply (model.delta) and retries (model.retry)', function () {
  this.timeout(60_000);
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('streams the root reply as growing text before its model.response, and never into a trajectory', async () => {
    const reply = `I will answer at once. ${'Streaming text arrives piece by piece. '.repeat(6)}\n${js("FINAL('done')")}`;
    // A slow stream: 8 characters per chunk, 25 ms apart (about 1 s for the reply).
    h = await harness({ models: { 'root-model': { turns: [{ text: reply, chunkDelayMs: 25 }] } }, chunkChars: 8 });
    const dir = mkdtempSync(join(tmpdir(), 'rlm-live-'));
    const writer = await TrajectoryWriter.open(join(dir, 'run.jsonl'));
    try {
      const end = await h.run('stream please', {}, (_id, e) => writer.append(e));
      assert.equal(end.status, 'answered');
      const ds = deltas(h.events);
      const response = h.events.findIndex((e) => e.type === 'model.response');
      assert.ok(ds.length >= 2, `several deltas (got ${ds.length})`);
      const lengths = new Set(ds.map((d) => d.text.length));
      assert.ok(lengths.size >= 2, 'the text grew between deltas');
      for (const d of ds) {
        assert.ok(reply.startsWith(d.text), 'each delta is the reply so far');
        assert.ok(d.text.length <= reply.length, 'a delta never outgrows the reply');
        assert.ok(h.events.indexOf(d) < response, 'deltas come before the model.response');
        assert.equal(d.parentId, h.events[response].parentId, 'under the same iteration');
      }
      const stored = readFileSync(join(dir, 'run.jsonl'), 'utf8');
      assert.ok(!stored.includes('model.delta'), 'model.delta is live only');
      assert.ok(stored.includes('model.response'));
    } finally {
      await writer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('restarts a node\'s text when a streamed request is retried, and puts the retry in the trace', async () => {
    h = await harness(
      { models: { 'root-model': { turns: [js("FINAL('after the retry')")] } }, faults: [{ request: 0, fault: 'stall' }] },
      { timeoutMs: 300 },
    );
    const end = await h.run('retry please');
    assert.equal(end.answer, 'after the retry');
    const retry = h.events.find((e) => e.type === 'model.retry');
    assert.ok(retry && retry.type === 'model.retry');
    assert.equal(retry.code, 'timeout');
    assert.equal(retry.attempt, 1);
    assert.equal(retry.maxRetries, 4);
    const ds = deltas(h.events);
    assert.equal(ds[0].text, 'partial', 'the stalled stream showed its text');
    assert.ok(ds.some((d) => d.text === ''), 'then the retry started the node again');
    assert.ok(!ds.some((d) => d.text.includes('partial') && d.text !== 'partial'), 'never duplicated');
  });

  it('sends a retried sub-call\'s retry with the sub-call as parent', async () => {
    h = await harness({
      models: { 'root-model': { turns: [js("const r = await llm_query('hi')\nFINAL(r)")] }, 'sub-model': { turns: ['sub answer'] } },
      faults: [{ model: 'sub-model', call: 0, fault: 'server-error', status: 503 }],
    });
    const end = await h.run('sub retry');
    assert.equal(end.answer, 'sub answer');
    const sub = h.events.find((e) => e.type === 'subcall.start')!;
    const retry = h.events.find((e) => e.type === 'model.retry');
    assert.ok(retry && retry.type === 'model.retry');
    assert.equal(retry.parentId, sub.id);
    assert.equal(retry.status, 503);
  });
});

describe('replyStream (batching deltas where they arrive)', () => {
  function setUp() {
    const events: TraceEvent[] = [];
    const state = new RunState('r', DEFAULT_BUDGETS, {}, (e) => events.push(e), []);
    let t = 0;
    const clock = { now: () => t, set: (ms: number) => (t = ms) };
    return { events, state, clock };
  }

  it('sends at most one delta per 100 ms, each with the text so far', () => {
    const { events, state, clock } = setUp();
    const hooks = replyStream(state, 'it1', 'm', clock.now);
    for (let i = 0; i < 50; i++) {
      clock.set(i * 10); // a delta every 10 ms for 500 ms
      hooks.onDelta!('ab');
    }
    const ds = deltas(events);
    assert.ok(ds.length >= 5 && ds.length <= 6, `about one per 100 ms (got ${ds.length})`);
    assert.deepEqual(ds.map((d) => d.chars), ds.map((d) => d.text.length));
    assert.equal(ds[0].text, 'ab');
    assert.equal(ds.at(-1)!.text, 'ab'.repeat(41));
    state.dispose();
  });

  it('restarts at once on a reset, and carries only the first DELTA_CHARS characters', () => {
    const { events, state, clock } = setUp();
    const hooks = replyStream(state, 'it1', 'm', clock.now);
    hooks.onDelta!('x'.repeat(DELTA_CHARS + 500));
    hooks.onDeltaReset!();
    const ds = deltas(events);
    assert.equal(ds[0].text.length, DELTA_CHARS);
    assert.equal(ds[0].chars, DELTA_CHARS + 500);
    assert.deepEqual([ds[1].text, ds[1].chars], ['', 0]);
    state.dispose();
  });
});
