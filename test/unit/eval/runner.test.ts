import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RlmError } from '../../../src/core/errors';
import type { QuestionResult } from '../../../src/core/eval/results';
import { startFakeServer, type FakeServer } from '../../fakeServer/server';
import { API_KEY } from '../rlm/harness';
import { answering, evalAgainst, firstQuestions, isDirect, outDir, questionOf, shippedItems } from './evalHarness';

const items = shippedItems();
const readResults = (dir: string): QuestionResult[] =>
  readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

/** The ids of the questions the server was asked about (each question once per mode, at least). */
function askedIds(server: FakeServer): Set<string> {
  const ids = new Set<string>();
  for (const r of server.requests) {
    const body = r.body as { messages?: { role: string; content: string }[] } | undefined;
    if (!body?.messages) continue;
    const item = questionOf(items, body as { messages: { content: string }[] });
    if (item) ids.add(`${isDirect(body as { messages: { role: string }[] }) ? 'direct' : 'rlm'}/${item.id}`);
  }
  return ids;
}

describe('rlm eval runner (end to end against the fake server)', function () {
  this.timeout(120_000);
  let server: FakeServer | undefined;
  let dir: string;
  beforeEach(() => {
    dir = outDir();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('scores RLM and the direct baseline side by side: strict letters, malformed answers, Wilson interval, cost, report, chart and traces', async () => {
    const rlm = (i: { id: string; answer: string }) => (i.id === 'fixture-shout' ? 'A' : i.id === 'self-python' ? 'I think C' : i.answer);
    const direct = (i: { id: string; answer: string }) => (i.id.startsWith('fixture-') ? `(${i.answer})` : 'A');
    server = await startFakeServer({ apiKey: API_KEY, models: { 'root-model': { rule: answering(items, rlm, direct) } } });
    const out = await evalAgainst(server, { outDir: dir, modes: ['rlm', 'direct'] });

    assert.equal(out.complete, true);
    assert.equal(out.asked, 24);
    const [r, d] = out.summaries;
    assert.equal(r.mode, 'rlm');
    assert.equal(r.questions, 12);
    assert.equal(r.correct, 10);
    assert.equal(r.malformed, 1);
    assert.equal(r.medianTurns, 1);
    assert.ok(r.ci95 && r.ci95.low < 10 / 12 && r.ci95.high > 10 / 12 && r.ci95.high < 1);
    assert.ok(r.costPerQuestion! > 0 && r.costPerCorrect! > r.costPerQuestion!);
    assert.equal(d.mode, 'direct');
    assert.equal(d.correct, 5, 'the fixture questions only');
    assert.equal(d.malformed, 0, '"(C)" is a letter');

    const results = readResults(dir);
    assert.equal(results.length, 24);
    const malformed = results.find((q) => q.mode === 'rlm' && q.id === 'self-python')!;
    assert.deepEqual([malformed.letter, malformed.malformed, malformed.correct, malformed.answer], [null, true, false, 'I think C']);
    const wrong = results.find((q) => q.mode === 'rlm' && q.id === 'fixture-shout')!;
    assert.deepEqual([wrong.letter, wrong.expected, wrong.correct, wrong.malformed], ['A', 'B', false, false]);
    for (const q of results) {
      assert.ok(q.usage['root-model'].calls >= 1 && q.costUsd! > 0, `${q.mode}/${q.id} usage and cost`);
      const trace = readFileSync(join(dir, q.trace), 'utf8');
      const events = trace.trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(events[0].type, 'run.start');
      assert.equal(events.at(-1).type, 'run.end');
      assert.ok(!trace.includes(API_KEY));
    }

    const report = readFileSync(out.files.report, 'utf8');
    assert.match(report, /\| RLM \| 12 \| 10 \| 83\.3% \| 55\.2% – 95\.3% \| 1 \|/);
    assert.match(report, /\| direct \| 12 \| 5 \| 41\.7% \|/);
    assert.match(report, /!\[Accuracy vs cost per question, one point per mode\]\(chart\.svg\)/);
    assert.match(report, /\| fixture-shout \| B \| A ✗ \| B ✓ \|/);
    assert.match(report, /\| self-python \| C \| malformed ✗ \| A ✗ \|/);
    assert.match(report, /62\.0%/);
    assert.match(report, /cut at 800,000 characters/);
    const svg = readFileSync(out.files.chart, 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /RLM: 83\.3%/);
    assert.match(svg, /direct: 41\.7%/);
    const summary = JSON.parse(readFileSync(out.files.summary, 'utf8'));
    assert.equal(summary.modes.rlm.correct, 10);
    assert.equal(summary.complete, true);
  });

  it('stops on abort keeping finished questions; a rerun into the same folder asks only the rest', async () => {
    const rule = answering(items, (i) => i.answer);
    server = await startFakeServer({ apiKey: API_KEY, latencyMs: 20, models: { 'root-model': { rule } } });
    const dataset = firstQuestions(dir, 6);
    const stop = new AbortController();
    let ended = 0;
    const first = await evalAgainst(server, {
      dataset,
      outDir: dir,
      parallel: 2,
      signal: stop.signal,
      onProgress: (p) => {
        if (p.type === 'question.end' && ++ended === 2) stop.abort();
      },
    });
    assert.equal(first.complete, false);
    const finished = new Set(readResults(dir).map((q) => `${q.mode}/${q.id}`));
    assert.equal(finished.size, 2, 'the questions in flight at the stop are not recorded');
    assert.match(readFileSync(first.files.report, 'utf8'), /\*\*Partial\*\*: 2 of 6/);
    await server.close();

    server = await startFakeServer({ apiKey: API_KEY, models: { 'root-model': { rule } } });
    const second = await evalAgainst(server, { dataset, outDir: dir, parallel: 2 });
    assert.equal(second.complete, true);
    assert.equal(second.resumed, 2);
    assert.equal(second.asked, 4);
    const asked = askedIds(server);
    for (const id of finished) assert.ok(!asked.has(id), `${id} was asked again`);
    assert.equal(asked.size, 4);
    assert.equal(second.summaries[0].correct, 6);
    assert.equal(readResults(dir).length, 6);
  });

  it('keeps every model call of the eval under one concurrency limit, across questions running at once', async () => {
    server = await startFakeServer({ apiKey: API_KEY, latencyMs: 40, models: { 'root-model': { rule: answering(items, (i) => i.answer) } } });
    const out = await evalAgainst(server, { dataset: firstQuestions(dir, 4), outDir: dir, parallel: 4, concurrency: 2, modes: ['rlm', 'direct'] });
    assert.equal(out.complete, true);
    assert.ok(server.stats().maxInFlight <= 2, `max in flight ${server.stats().maxInFlight}`);
  });

  it('counts a failed question as wrong and does not ask it again unless --retry-failed', async () => {
    const rule = answering(items, (i) => i.answer);
    server = await startFakeServer({ apiKey: API_KEY, faults: [{ request: 0, fault: 'bad-request' }], models: { 'root-model': { rule } } });
    const dataset = firstQuestions(dir, 3);
    const first = await evalAgainst(server, { dataset, outDir: dir, parallel: 1 });
    const failed = readResults(dir).filter((q) => q.status === 'failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0].correct, false);
    assert.equal(first.summaries[0].noAnswer, 1);
    assert.equal(first.summaries[0].correct, 2);
    await server.close();

    server = await startFakeServer({ apiKey: API_KEY, models: { 'root-model': { rule } } });
    const again = await evalAgainst(server, { dataset, outDir: dir });
    assert.equal(again.asked, 0);
    assert.equal(server.stats().chatRequests, 0);
    const retried = await evalAgainst(server, { dataset, outDir: dir, retryFailed: true });
    assert.equal(retried.asked, 1);
    assert.deepEqual([...askedIds(server)], [`rlm/${failed[0].id}`]);
    assert.equal(retried.summaries[0].correct, 3);
  });

  it('refuses to resume into a folder made with another model', async () => {
    server = await startFakeServer({ apiKey: API_KEY, rule: answering(items, (i) => i.answer) });
    const dataset = firstQuestions(dir, 1);
    await evalAgainst(server, { dataset, outDir: dir });
    await assert.rejects(evalAgainst(server, { dataset, outDir: dir }, 'other-model'), (err: unknown) => err instanceof RlmError && /root model "root-model" \(now "other-model"\)/.test(err.message));
    assert.ok(existsSync(join(dir, 'eval.json')));
  });
});
