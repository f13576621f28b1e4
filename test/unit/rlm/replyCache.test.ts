import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenAIChatModel } from '../../../src/core/llm/openaiModel';
import { endpointOf, ReplyCache, withReplyCache } from '../../../src/core/llm/replyCache';
import { Replay } from '../../../src/core/rlm/replay';
import type { TraceEvent } from '../../../src/core/trace/types';
import { TraceViewModel } from '../../../src/vscode/panel/traceViewModel';
import { API_KEY, harness, js, type Harness } from './harness';

describe('Run with the reply cache, and resume (in process)', function () {
  this.timeout(60_000);
  let h: Harness;
  let dir: string;
  afterEach(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cachedModels = (cache: ReplyCache) => {
    const model = (id: string) => withReplyCache(new OpenAIChatModel({ baseURL: h.server.url, apiKey: API_KEY, model: id, retryBaseMs: 5 }), cache, endpointOf(h.server.url), [API_KEY]);
    return { rootModel: model('root-model'), subModel: model('sub-model') };
  };
  const fold = (events: TraceEvent[]) => {
    const vm = new TraceViewModel();
    for (const e of events) vm.apply(e);
    return vm;
  };

  it('a cached sub-call takes no model request and no budget but the sub-call; the tree marks it and the meter shows what it saved', async () => {
    h = await harness({ models: { 'root-model': { turns: [js("FINAL(await llm_query('same prompt'))"), js("FINAL(await llm_query('same prompt'))")] } }, rule: { fallback: 'sub says hi' } });
    dir = mkdtempSync(join(tmpdir(), 'rlm-run-cache-'));
    const cache = new ReplyCache(dir);
    const prices = { 'root-model': { input: 1, output: 2 }, 'sub-model': { input: 1, output: 2 } };
    await h.run('first', { ...cachedModels(cache), prices });
    const firstCount = h.events.length;
    // Another question: the root model is asked, the same sub-call prompt is not.
    const end = await h.run('second', { ...cachedModels(cache), prices, budgets: { maxModelRequests: 1 } });
    assert.equal(end.status, 'answered', end.reason);
    assert.equal(end.answer, 'sub says hi');
    assert.equal(h.server.requests.filter((r) => r.model === 'sub-model').length, 1);
    assert.ok(end.saved && end.saved.tokens > 0 && (end.saved.costUsd ?? 0) > 0);
    assert.equal(end.subcalls, 1);
    const vm = fold(h.events.slice(firstCount));
    const sub = vm.allNodes().find((n) => n.kind === 'subcall')!;
    assert.match(sub.title, /· cached$/);
    assert.equal(sub.costUsd, 0);
    assert.deepEqual(vm.usage().saved, end.saved);
  });

  it('a root turn is reused only on the same workspace map: a new file asks the root model again', async () => {
    h = await harness({ models: { 'root-model': { turns: [js("FINAL('one')"), js("FINAL('two')")] } } });
    dir = mkdtempSync(join(tmpdir(), 'rlm-run-cache-'));
    const cache = new ReplyCache(dir);
    assert.equal((await h.run('q', cachedModels(cache))).answer, 'one');
    const again = await h.run('q', cachedModels(cache));
    assert.equal(again.answer, 'one');
    assert.equal(h.server.requests.length, 1);
    const lastStart = h.events.map((e) => e.type).lastIndexOf('run.start');
    const vm = fold(h.events.slice(lastStart));
    assert.match(vm.allNodes().find((n) => n.kind === 'model')!.title, /replied \(cached\)/);
    writeFileSync(join(h.root, 'NEW.md'), 'new\n');
    assert.equal((await h.run('q', cachedModels(cache))).answer, 'two');
    assert.equal(h.server.requests.length, 2);
  });

  it('resume replays recorded turns and sub-calls in order (REPL state rebuilt), then goes on with fresh budgets', async () => {
    h = await harness({
      models: {
        'root-model': { turns: [js("let n = 0\nfor (const p of ['a', 'b']) n += (await llm_query('count ' + p)).length\nprint(n)"), js('n = n * 10\nprint(n)'), { fault: 'unauthorized' }, js('FINAL(String(n))')] },
      },
      rule: { fallback: 'abc' },
    });
    dir = mkdtempSync(join(tmpdir(), 'rlm-run-cache-'));
    const failed = await h.run('count');
    assert.equal(failed.status, 'failed');
    const recorded = h.events.slice();
    const before = h.server.requests.length;
    const replay = Replay.fromEvents(recorded);
    assert.equal(replay.rootReplies.length, 2);
    const end = await h.run('ignored: the replay has the question', { question: replay.question, resume: { replay }, budgets: { maxIterations: 1, maxModelRequests: 1 } });
    assert.equal(end.status, 'answered', end.reason);
    assert.equal(end.answer, '60');
    assert.equal(h.server.requests.length - before, 1, 'only the next turn reached the server');
    const start = h.events.slice(recorded.length).find((e) => e.type === 'run.start')!;
    assert.equal(start.type === 'run.start' && start.resumedFrom, replay.runId);
  });
});
