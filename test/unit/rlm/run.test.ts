import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RlmError } from '../../../src/core/errors';
import { readTrajectory, TrajectoryWriter } from '../../../src/core/trace/trajectory';
import { isLiveOnly, type TraceEvent } from '../../../src/core/trace/types';
import { TraceViewModel } from '../../../src/vscode/panel/traceViewModel';
import type { FakeRequestInfo } from '../../fakeServer/server';
import { API_KEY, AUTH_MARKER, DOTENV_SECRET, harness, js, requestText, rootRequests, type Harness } from './harness';

const types = (events: TraceEvent[]) => events.map((e) => e.type);
const count = (events: TraceEvent[], type: string) => events.filter((e) => e.type === type).length;

describe('RLM run over a fixture repository', function () {
  this.timeout(60_000);
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('labelled llm_batch items return {id, prompt, reply} and reach the trace with their id, tokens and time', async () => {
    h = await harness({
      models: {
        'root-model': {
          turns: [
            js("const r = await llm_batch([{ id: 'src/auth.ts', prompt: 'one' }, { id: 'src/db.ts', prompt: 'two' }])\nprint(JSON.stringify(r))\nFINAL(r.map((x) => x.id + '=' + x.reply).join(' '))"),
          ],
        },
      },
      rule: (req) => `R(${req.messages[0].content})`,
    });
    const result = await h.run('Label the batch', { onEvent: (e) => h!.events.push(e) });
    assert.equal(result.status, 'answered', result.reason);
    assert.equal(result.answer, 'src/auth.ts=R(one) src/db.ts=R(two)');
    const starts = h.events.flatMap((e) => (e.type === 'subcall.start' ? [e] : []));
    assert.deepEqual(starts.map((e) => [e.label, e.batch?.index, e.batch?.size]).sort(), [['src/auth.ts', 0, 2], ['src/db.ts', 1, 2]]);
    assert.equal(new Set(starts.map((e) => e.batch?.id)).size, 1, 'one batch id for the call');
    const ends = h.events.flatMap((e) => (e.type === 'subcall.end' ? [e] : []));
    for (const e of ends) {
      assert.ok(e.usage && e.usage.promptTokens > 0, 'per-item tokens');
      assert.equal(typeof e.ms, 'number');
    }
    const vm = new TraceViewModel();
    for (const e of h.events) vm.apply(e);
    const titles = vm.allNodes().filter((n) => n.kind === 'subcall').map((n) => n.title).sort();
    assert.match(titles[0], /^llm_batch \[src\/auth\.ts\] → sub-model/);
    assert.match(titles[1], /^llm_batch \[src\/db\.ts\] → sub-model/);
  });

  it('probes, greps, reads, batches over slices, aggregates and finishes', async () => {
    h = await harness({
      models: {
        'root-model': {
          turns: [
            'Let me look at the shape first.\n' + js('print(context.totals.files, context.files.map(f => f.path).join(","))'),
            js("const hits = await grep('function login')\nprint(hits.map(h => h.path + ':' + h.line).join('\\n'))"),
            js("const src = await readFile('src/auth.ts')\nconst slices = [src.slice(0, 120), src.slice(120)]\nconst replies = await llm_batch(slices.map(s => 'Summarise this code:\\n' + s))\nprint(replies.length)"),
            js("const where = hits[0].path + ':' + hits[0].line\nFINAL('Login lives in ' + where + '. ' + replies.join(' / '))"),
          ],
        },
      },
      rule: (req) => `SUMMARY(${req.messages[0].content.length} chars)`,
    });
    const dir = mkdtempSync(join(tmpdir(), 'rlm-traj-'));
    const file = join(dir, 'run.jsonl');
    const writer = await TrajectoryWriter.open(file);
    const result = await h.run('Where is login implemented?', { onEvent: (e) => { h!.events.push(e); writer.append(e); } });
    await writer.close();

    assert.equal(result.status, 'answered', result.reason);
    assert.match(result.answer ?? '', /^Login lives in src\/auth\.ts:2\. SUMMARY\(\d+ chars\) \/ SUMMARY\(\d+ chars\)$/);
    assert.equal(result.iterations, 4);
    assert.equal(result.subcalls, 2);
    assert.equal(result.usage['root-model'].calls, 4);
    assert.equal(result.usage['sub-model'].calls, 2);
    assert.equal(result.costUsd, null, 'prices unknown → cost unknown, never zero');

    const ev = h.events;
    assert.equal(ev[0].type, 'run.start');
    assert.equal(ev.at(-1)!.type, 'run.end');
    assert.equal(count(ev, 'iteration.start'), 4);
    assert.equal(count(ev, 'model.response'), 4);
    assert.equal(count(ev, 'cell.start'), 4);
    assert.equal(count(ev, 'cell.output'), 4);
    assert.equal(count(ev, 'subcall.start'), 2);
    assert.equal(count(ev, 'subcall.end'), 2);
    // The probe's output reached the model: the file list, without ignored or secret files.
    const firstOutput = ev.find((e) => e.type === 'cell.output');
    assert.ok(firstOutput && firstOutput.type === 'cell.output');
    assert.match(firstOutput.output, /src\/auth\.ts/);
    assert.doesNotMatch(firstOutput.output, /build\/out\.js|\.env/);

    // The tree: run → iterations → cells → sub-calls under the batching cell.
    // (Built by the panel's view model, the one place that links events into a tree.)
    const vm = new TraceViewModel();
    for (const e of ev) vm.apply(e);
    assert.equal(vm.rootId, ev[0].id);
    const nodes = vm.allNodes();
    const under = (parentId: string | undefined, kind: string) => nodes.filter((n) => n.parentId === parentId && n.kind === kind);
    const iterations = under(undefined, 'iteration');
    assert.equal(iterations.length, 4);
    const [batchCell] = under(iterations[2].id, 'cell');
    assert.equal(under(batchCell.id, 'subcall').length, 2);
    // The panel's usage meter shows the run's own totals, not a sum of its own.
    assert.deepEqual(vm.usage().tokens, Object.values(result.usage).reduce((t, u) => t + u.promptTokens + u.completionTokens, 0));
    assert.equal(vm.usage().subcalls, result.subcalls);
    // Items of an llm_batch are recorded as llm_batch, not llm_query.
    assert.deepEqual(
      ev.filter((e) => e.type === 'subcall.start').map((e) => (e.type === 'subcall.start' ? e.kind : '')),
      ['llm_batch', 'llm_batch'],
    );

    // The trajectory: one event per line, read back whole; the live-only model.delta events are not stored.
    const stored = ev.filter((e) => !isLiveOnly(e));
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines.length, stored.length);
    const back = await readTrajectory(file);
    assert.deepEqual(types(back.events), types(stored));
    assert.ok(!readFileSync(file, 'utf8').includes(API_KEY), 'API key in trajectory');
    rmSync(dir, { recursive: true, force: true });

    // No secret anywhere: not the key in the trajectory, not the .env value in any request.
    assert.ok(!JSON.stringify(ev).includes(API_KEY), 'API key in trace');
    assert.ok(!requestText(h.server).includes(DOTENV_SECRET), '.env content sent to a model');
    // The root model never saw file contents it did not print.
    for (const messages of rootRequests(h.server)) assert.ok(!JSON.stringify(messages).includes(AUTH_MARKER), 'file content in a root prompt');
  });

  it('finishes with FINAL_VAR', async () => {
    h = await harness({ models: { 'root-model': { turns: [js("const result = 'from a variable'\nFINAL_VAR('result')")] } } });
    const r = await h.run('q');
    assert.equal(r.status, 'answered');
    assert.equal(r.answer, 'from a variable');
  });

  it('finishes with answer.content and answer.ready', async () => {
    h = await harness({ models: { 'root-model': { turns: [js("answer.content = 'set in the REPL'\nanswer.ready = true")] } } });
    const r = await h.run('q');
    assert.equal(r.status, 'answered');
    assert.equal(r.answer, 'set in the REPL');
  });

  it('does not finish on FINAL written as prose, in an output fence, or after invented output', async () => {
    h = await harness({
      models: {
        'root-model': {
          turns: [
            js('print(context.totals.files)') + '\n```output\n999\n```\nSo there are 999 files. FINAL("999 files")',
            'FINAL("prose answer")',
            js("FINAL('real answer')"),
          ],
        },
      },
    });
    const r = await h.run('how many files?');
    assert.equal(r.status, 'answered');
    assert.equal(r.answer, 'real answer');
    assert.equal(r.iterations, 3);
    // The second request carried the REPL's real output (6 files), not the invented 999.
    const second = rootRequests(h.server)[1];
    assert.match(second.at(-1)!.content, /\[turn 1\/30\] REPL output:\n6\n/);
    const third = rootRequests(h.server)[2];
    assert.match(third.at(-1)!.content, /No code ran/);
  });

  it('says an empty reply was empty (not that it lacked a js block)', async () => {
    h = await harness({ models: { 'root-model': { turns: ['', js("FINAL('after the empty one')")] } } });
    const r = await h.run('anything?');
    assert.equal(r.answer, 'after the empty one');
    assert.match(rootRequests(h.server)[1].at(-1)!.content, /\[turn 1\/30\] No code ran: your reply was empty\./);
  });

  it('corrects a python-only reply and runs several blocks of one reply in order', async () => {
    h = await harness({
      models: {
        'root-model': {
          turns: [
            '```python\nprint(len(context))\n```',
            js('let a = 1') + '\nthen\n' + js('a += 1') + '\n' + js('FINAL(String(a + 1))'),
          ],
        },
      },
    });
    const r = await h.run('q');
    assert.equal(r.answer, '3');
    assert.match(rootRequests(h.server)[1].at(-1)!.content, /runs JavaScript, not Python/);
  });

  it('forces an answer when the model never finishes', async () => {
    h = await harness({
      models: { 'root-model': { turns: [js('print(1)'), js('print(2)'), js('print(3)'), 'Forced: the answer is 42.'] } },
    });
    const r = await h.run('q', { budgets: { maxIterations: 3 } });
    assert.equal(r.status, 'forced');
    assert.equal(r.answer, 'Forced: the answer is 42.');
    assert.match(r.reason ?? '', /Out of iterations \(3\)/);
    const last = rootRequests(h.server).at(-1)!;
    assert.match(last.at(-1)!.content, /out of turns/i);
  });

  it('a forced reply that is FINAL(\'…\') code gives the text, not the code', async () => {
    h = await harness({
      models: { 'root-model': { turns: [js('print(1)'), js("FINAL('The answer ' + `is 42.`)")] } },
    });
    const r = await h.run('q', { budgets: { maxIterations: 1 } });
    assert.equal(r.status, 'forced');
    assert.equal(r.answer, 'The answer is 42.');
  });

  it('a forced reply whose FINAL is computed stays as written', async () => {
    h = await harness({
      models: { 'root-model': { turns: [js('print(1)'), js('FINAL(String(6 * 7))')] } },
    });
    const r = await h.run('q', { budgets: { maxIterations: 1 } });
    assert.equal(r.status, 'forced');
    assert.match(r.answer ?? '', /FINAL\(String\(6 \* 7\)\)/);
  });

  it('stops at the sub-call budget with the partial trace kept', async () => {
    h = await harness({
      models: { 'root-model': { turns: [js("const r = await llm_batch(['a','b','c','d'])\nprint(r)"), js("FINAL('never')")] } },
    });
    const r = await h.run('q', { budgets: { maxSubcalls: 2 } });
    assert.equal(r.status, 'budget');
    assert.match(r.reason ?? '', /Sub-call budget of 2/);
    assert.ok(count(h.events, 'cell.start') >= 1);
    assert.equal(h.events.at(-1)!.type, 'run.end');
  });

  it('stops at the token budget', async () => {
    h = await harness({ models: { 'root-model': { turns: [js('print(1)'), js('print(2)'), js("FINAL('x')")] } } });
    const r = await h.run('q', { budgets: { maxTokens: 50 } });
    assert.equal(r.status, 'budget');
    assert.match(r.reason ?? '', /Token budget of 50/);
  });

  it('stops at the cost budget when prices are known', async () => {
    h = await harness({ models: { 'root-model': { turns: [js('print(1)'), js('print(2)'), js("FINAL('x')")] } } });
    const r = await h.run('q', {
      budgets: { maxCostUsd: 0.0001 },
      prices: { 'root-model': { input: 100, output: 100 }, 'sub-model': { input: 1, output: 1 } },
    });
    assert.equal(r.status, 'budget');
    assert.match(r.reason ?? '', /Cost budget of \$0\.0001/);
    assert.ok(r.costUsd !== null && r.costUsd > 0.0001);
  });

  it('stops at the wall-time budget', async () => {
    h = await harness({ models: { 'root-model': { turns: [{ text: js("FINAL('late')"), latencyMs: 5_000 }] } } });
    const r = await h.run('q', { budgets: { maxWallMs: 300 } });
    assert.equal(r.status, 'budget');
    assert.match(r.reason ?? '', /Wall-time budget/);
  });

  it('runs a child RLM at depth 2 over the given text', async () => {
    h = await harness({
      models: {
        'root-model': {
          turns: [
            js("const r = await rlm_query('How long is the text?', 'abcd')\nFINAL('parent got: ' + r)"),
            js("const t = await readFile('input.txt')\nFINAL('child read ' + t.length + ' chars')"),
          ],
        },
      },
    });
    const r = await h.run('q', { budgets: { maxDepth: 2 } });
    assert.equal(r.status, 'answered', r.reason);
    assert.equal(r.answer, 'parent got: child read 4 chars');
    const child = h.events.find((e) => e.type === 'child.start');
    assert.ok(child && child.type === 'child.start' && child.depth === 2);
    // The child's iterations hang under child.start.
    assert.ok(h.events.some((e) => e.type === 'iteration.start' && e.parentId === child.id));
  });

  it('stops a child run when the cell that started it ends, and nothing runs after the run returns', async () => {
    const isChild = (req: FakeRequestInfo) => req.messages.some((m) => m.role === 'user' && m.content.includes('CHILDQ'));
    let ended = false;
    let childCallsAfterEnd = 0;
    h = await harness({
      models: {
        'root-model': {
          latencyMs: 100,
          rule: (req) => {
            if (isChild(req)) {
              if (ended) childCallsAfterEnd++;
              return js('print("child working")');
            }
            const turns = req.messages.filter((m) => m.role === 'assistant').length;
            // The first cell fires rlm_query without awaiting it: the cell ends at once.
            return turns === 0 ? js('rlm_query("CHILDQ"); "fired"') : js('FINAL("parent done")');
          },
        },
      },
    });
    const r = await h.run('q', { budgets: { maxDepth: 2, maxIterations: 10 } });
    ended = true;
    assert.equal(r.status, 'answered', r.reason);
    assert.equal(r.answer, 'parent done');
    await new Promise((resolve) => setTimeout(resolve, 800));
    assert.equal(childCallsAfterEnd, 0, 'the child kept calling the model after the run ended');
    // The child's requests ask CHILDQ as a user message; the parent's later turns only quote it in
    // their own (assistant) code. One child request may be in flight when the cell ends (it is aborted).
    const childCalls = h.server.requests.filter((x) => x.model === 'root-model' && isChild(x.body as FakeRequestInfo)).length;
    assert.ok(childCalls <= 1, `child made ${childCalls} model calls after its cell ended`);
  });

  it('keeps child runs and their model calls within the run\'s concurrency', async () => {
    h = await harness({
      models: {
        'root-model': {
          latencyMs: 50,
          rule: (req) =>
            req.messages.some((m) => m.role === 'user' && m.content.includes('CHILD '))
              ? js("FINAL('child ok')")
              : js("const r = await Promise.all(Array.from({length: 8}, (_, i) => rlm_query('CHILD ' + i)))\nFINAL(r.join(','))"),
        },
      },
    });
    const r = await h.run('q', { budgets: { maxDepth: 2, concurrency: 2 } });
    assert.equal(r.status, 'answered', r.reason);
    assert.equal(r.answer, Array(8).fill('child ok').join(','));
    assert.ok(h.server.stats().maxInFlight <= 2, `max in flight ${h.server.stats().maxInFlight}`);
    assert.equal(h.events.filter((e) => e.type === 'child.start').length, 8);
  });

  it('treats rlm_query as a plain sub-call at depth 1', async () => {
    h = await harness({
      models: { 'root-model': { turns: [js("FINAL(await rlm_query('Q?', 'TEXT'))")] } },
      rule: (req) => `plain:${req.messages.at(-1)!.content.replace(/\n/g, ' ')}`,
    });
    const r = await h.run('q');
    assert.equal(r.answer, 'plain:Q?  TEXT');
    assert.equal(count(h.events, 'child.start'), 0);
  });

  it('cancels mid-batch: model calls and the cell stop, the run ends cancelled', async () => {
    h = await harness({
      models: {
        'root-model': { turns: [js("const r = await llm_batch(['a','b','c','d','e','f'])\nFINAL('done')")] },
        'sub-model': { latencyMs: 30_000 },
      },
    });
    const controller = new AbortController();
    const events: TraceEvent[] = [];
    const r = await h.run('q', {
      signal: controller.signal,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'subcall.start') setTimeout(() => controller.abort(), 50);
      },
    });
    assert.equal(r.status, 'cancelled');
    assert.equal(events.at(-1)!.type, 'run.end');
    assert.ok(count(events, 'subcall.start') >= 1);
  });

  it('an abort coded "interrupted" (the editor closing) ends the run interrupted, not cancelled', async () => {
    h = await harness({
      models: { 'root-model': { turns: [js("const r = await llm_query('a')\nFINAL(r)")] }, 'sub-model': { latencyMs: 30_000 } },
    });
    const controller = new AbortController();
    const r = await h.run('q', {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'subcall.start') setTimeout(() => controller.abort(new RlmError('VS Code closed during the run.', 'interrupted')), 50);
      },
    });
    assert.equal(r.status, 'interrupted');
    assert.equal(r.reason, 'VS Code closed during the run.');
  });

  it('fails with a clear reason on a bad key (401), without retrying', async () => {
    h = await harness({ models: { 'root-model': { turns: [js("FINAL('x')")] } }, faults: [{ fault: 'unauthorized', model: 'root-model' }] });
    const r = await h.run('q');
    assert.equal(r.status, 'failed');
    assert.match(r.reason ?? '', /key/i);
    assert.ok(!(r.reason ?? '').includes(API_KEY));
    assert.equal(h.server.requests.filter((x) => x.model === 'root-model').length, 1);
  });

  it('rides out a 429 with Retry-After and a 500', async () => {
    h = await harness({
      models: { 'root-model': { turns: [js("FINAL('ok')")] } },
      faults: [{ fault: 'rate-limit', request: 0, retryAfter: '0' }, { fault: 'server-error', request: 1 }],
    });
    const r = await h.run('q');
    assert.equal(r.status, 'answered', r.reason);
    assert.equal(r.answer, 'ok');
  });

  it('fails clearly when the endpoint returns empty choices', async () => {
    h = await harness({ models: { 'root-model': { turns: [js("FINAL('x')")] } }, faults: [{ fault: 'empty-choices', model: 'root-model' }] });
    const r = await h.run('q');
    assert.equal(r.status, 'failed');
    assert.match(r.reason ?? '', /choices|empty/i);
  });

  it('reports a failed sub-call to model code without failing the run', async () => {
    h = await harness({
      models: { 'root-model': { turns: [js("const r = await llm_batch(['a', 'b'])\nFINAL(r.map(x => x.startsWith('[') ? 'ERR' : 'OK').sort().join(','))")] } },
      faults: [{ fault: 'bad-request', model: 'sub-model', call: 0 }],
    });
    const r = await h.run('q');
    assert.equal(r.status, 'answered', r.reason);
    assert.equal(r.answer, 'ERR,OK');
  });

  it('finishes even when an event listener throws (a display or disk problem never ends a run)', async () => {
    h = await harness({ models: { 'root-model': { turns: [js('print(1)'), js("FINAL('still answered')")] } } });
    const r = await h.run('q', {
      onEvent: () => {
        throw new Error('listener failure');
      },
    });
    assert.equal(r.status, 'answered', r.reason);
    assert.equal(r.answer, 'still answered');
  });

  it('keeps the first request free of file contents and within bounds', async () => {
    h = await harness({ models: { 'root-model': { turns: [js("FINAL('x')")] } } });
    await h.run('What does this repo do?');
    const [system, user] = rootRequests(h.server)[0];
    assert.equal(system.role, 'system');
    assert.match(system.content, /llm_batch/);
    assert.match(user.content, /What does this repo do\?/);
    assert.ok(Buffer.byteLength(user.content) < 9 * 1024);
    assert.ok(!user.content.includes(AUTH_MARKER));
  });
});
