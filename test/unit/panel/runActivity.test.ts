import * as assert from 'node:assert/strict';
import { TraceEventFactory } from '../../../src/core/trace/ids';
import type { TraceEvent } from '../../../src/core/trace/types';
import { RunActivity } from '../../../src/vscode/panel/runActivity';

describe('RunActivity (the live status line)', () => {
  function run() {
    let t = 1_000_000;
    const f = new TraceEventFactory(undefined, () => t);
    const a = new RunActivity();
    const at = (ms: number) => (t = 1_000_000 + ms);
    const send = (e: TraceEvent) => (a.apply(e), e);
    const start = send(f.make('run.start', undefined, { runId: 'r', question: 'q', depth: 0, rootModel: 'gpt-5', subModel: 'mini' }));
    return { a, f, at, send, start, now: () => t };
  }

  it('says whom the run waits for, then that the reply streams, for how long', () => {
    const { a, f, at, send, start, now } = run();
    const it1 = send(f.make('iteration.start', start.id, { iteration: 1, maxIterations: 30 }));
    at(12_400);
    assert.equal(a.text(now()), 'waiting for gpt-5 (12 s)');
    send(f.make('model.delta', it1.id, { model: 'gpt-5', text: 'hel', chars: 3 }));
    assert.equal(a.text(now()), 'gpt-5 is replying (12 s)');
    send(f.make('model.response', it1.id, { model: 'gpt-5', text: 'hello', usage: { promptTokens: 1, completionTokens: 1 }, costUsd: 0, ms: 1 }));
    assert.equal(a.text(now()), undefined);
  });

  it('says a retry is coming, which of how many, and when', () => {
    const { a, f, at, send, start, now } = run();
    const it1 = send(f.make('iteration.start', start.id, { iteration: 1, maxIterations: 30 }));
    at(1000);
    send(f.make('model.retry', it1.id, { model: 'gpt-5', attempt: 2, maxRetries: 4, delayMs: 3000, code: 'server-error', status: 503 }));
    assert.equal(a.text(now()), 'retrying gpt-5 after 503 (2/4, in 3 s)');
    at(3000);
    assert.equal(a.text(now()), 'retrying gpt-5 after 503 (2/4, in 1 s)');
    send(f.make('model.delta', it1.id, { model: 'gpt-5', text: 'x', chars: 1 }));
    assert.equal(a.text(now()), 'gpt-5 is replying (3 s)');
  });

  it('counts a running cell and the sub-calls in flight; says nothing once the run ended', () => {
    const { a, f, at, send, start, now } = run();
    const it1 = send(f.make('iteration.start', start.id, { iteration: 1, maxIterations: 30 }));
    send(f.make('model.response', it1.id, { model: 'gpt-5', text: 'code', usage: { promptTokens: 1, completionTokens: 1 }, costUsd: 0, ms: 1 }));
    const cell = send(f.make('cell.start', it1.id, { code: 'x' }));
    const subs = Array.from({ length: 14 }, () => send(f.make('subcall.start', cell.id, { kind: 'llm_query', model: 'mini', prompt: 'p', promptChars: 1 })));
    at(2100);
    assert.equal(a.text(now()), 'running cell (2.1 s) · 14 sub-calls in flight');
    send(f.make('subcall.end', subs[0].id, { subcallId: subs[0].id, reply: 'r', ms: 1 }));
    assert.match(a.text(now())!, /13 sub-calls in flight$/);
    send(f.make('run.end', start.id, { status: 'answered', answer: 'a', iterations: 1, subcalls: 14, usage: {}, costUsd: 0, ms: 1 }));
    assert.equal(a.text(now()), undefined);
  });
});
