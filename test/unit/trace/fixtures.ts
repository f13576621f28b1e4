import { TraceEventFactory } from '../../../src/core/trace/ids';
import type { TraceEvent } from '../../../src/core/trace/types';

/** A small run with one sub-call and one child run, as the engine emits it. */
export function sampleRun(secret = 'sk-test-SECRET-0123456789abcdef'): TraceEvent[] {
  let t = 1_000;
  const f = new TraceEventFactory(undefined, () => t++);
  const run = f.make('run.start', undefined, {
    runId: 'r1',
    question: 'Where is login?',
    depth: 0,
    rootModel: 'root-model',
    subModel: 'sub-model',
    workspace: { root: 'shop', files: 3, bytes: 300 },
  });
  const it1 = f.make('iteration.start', run.id, { iteration: 1, maxIterations: 30 });
  const resp = f.make('model.response', it1.id, {
    model: 'root-model',
    text: '```js\nprint(context.files.length)\n```',
    usage: { promptTokens: 10, completionTokens: 5 },
    costUsd: null,
    ms: 3,
  });
  const cell = f.make('cell.start', it1.id, { code: `const r = await llm_query('Authorization: Bearer ${secret}')` });
  const sub = f.make('subcall.start', cell.id, { kind: 'llm_query', model: 'sub-model', prompt: `key ${secret}`, promptChars: 20 });
  const subEnd = f.make('subcall.end', sub.id, { subcallId: sub.id, reply: 'ok', ms: 2 });
  const child = f.make('child.start', cell.id, { depth: 1, prompt: 'child question' });
  const childRun = f.make('run.start', child.id, {
    runId: 'r1.1',
    question: 'child question',
    depth: 1,
    rootModel: 'root-model',
    subModel: 'sub-model',
    workspace: { root: 'shop', files: 3, bytes: 300 },
  });
  const childEnd = f.make('run.end', childRun.id, {
    status: 'answered',
    answer: 'child answer',
    iterations: 1,
    subcalls: 0,
    usage: {},
    costUsd: null,
    ms: 1,
  });
  const out = f.make('cell.output', cell.id, { cellId: cell.id, output: '3', ms: 4 });
  const end = f.make('run.end', run.id, {
    status: 'answered',
    answer: 'src/auth.ts:2',
    iterations: 1,
    subcalls: 1,
    usage: { 'root-model': { promptTokens: 10, completionTokens: 5, calls: 1 } },
    costUsd: 0.5,
    ms: 20,
  });
  return [run, it1, resp, cell, sub, subEnd, child, childRun, childEnd, out, end];
}
