import { TraceEventFactory } from '../../../src/core/trace/ids';
import type { TraceEvent } from '../../../src/core/trace/types';

/** A small run with one sub-call and one child run, as the engine emits it (a child run ends with child.end). */
export function sampleRun(secret = 'sk-test-SECRET-0123456789abcdef'): TraceEvent[] {
  let t = 1_000;
  const f = new TraceEventFactory(undefined, () => t++);
  const run = f.make('run.start', undefined, {
    runId: 'r1',
    question: 'Where is login?',
    depth: 1,
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
    total: { tokens: 15, costUsd: null, subcalls: 0 },
  });
  const cell = f.make('cell.start', it1.id, { code: `const r = await llm_query('Authorization: Bearer ${secret}')` });
  const sub = f.make('subcall.start', cell.id, { kind: 'llm_query', model: 'sub-model', prompt: `key ${secret}`, promptChars: 20 });
  const subEnd = f.make('subcall.end', sub.id, { subcallId: sub.id, reply: 'ok', usage: { promptTokens: 4, completionTokens: 2 }, costUsd: null, ms: 2, total: { tokens: 21, costUsd: null, subcalls: 1 } });
  const child = f.make('child.start', cell.id, { depth: 2, prompt: 'child question' });
  const childIt = f.make('iteration.start', child.id, { iteration: 1, maxIterations: 15 });
  const childEnd = f.make('child.end', child.id, {
    status: 'answered',
    answer: 'child answer',
    iterations: 1,
    subcalls: 2,
    usage: {},
    costUsd: null,
    ms: 1,
  });
  const out = f.make('cell.output', cell.id, { cellId: cell.id, output: '3', ms: 4 });
  const end = f.make('run.end', run.id, {
    status: 'answered',
    answer: 'src/auth.ts:2',
    iterations: 1,
    subcalls: 2,
    usage: { 'root-model': { promptTokens: 10, completionTokens: 5, calls: 1 }, 'sub-model': { promptTokens: 4, completionTokens: 2, calls: 1 } },
    costUsd: 0.5,
    ms: 20,
  });
  return [run, it1, resp, cell, sub, subEnd, child, childIt, childEnd, out, end];
}
