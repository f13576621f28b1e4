import * as assert from 'node:assert/strict';
import { ChatProgress } from '../../../src/vscode/chat/chatProgress';
import type { TraceEvent } from '../../../src/core/trace/types';

const base = (id: string, parentId?: string) => ({ id, parentId, ts: 0 });
const start = { ...base('s'), type: 'run.start', runId: 'r', question: 'q', depth: 0, rootModel: 'm', subModel: 'n', workspace: { root: 'w', files: 12, bytes: 1 } } as TraceEvent;
const iteration = (n: number, parent = 's') => ({ ...base(`i${n}${parent}`, parent), type: 'iteration.start', iteration: n, maxIterations: 30 }) as TraceEvent;
const subcall = (id: string) => ({ ...base(id, 'c'), type: 'subcall.start', kind: 'llm_query', model: 'n', prompt: '', promptChars: 0 }) as TraceEvent;

describe('chat progress lines', () => {
  it('reports the scan, top-run iterations and sub-calls, not child iterations', () => {
    const p = new ChatProgress(1000);
    assert.equal(p.line(start, 0), 'Scanned 12 files; asking m…');
    assert.equal(p.line(iteration(1), 0), 'Iteration 1/30');
    assert.equal(p.line(subcall('a'), 10), 'Iteration 1/30 · 1 sub-call (llm_query)…');
    assert.equal(p.line(iteration(1, 'child'), 20), undefined);
    assert.equal(p.line(iteration(2), 30), 'Iteration 2/30 · 1 sub-call so far');
  });

  it('says at most one sub-call line per interval, with the running count', () => {
    const p = new ChatProgress(1000);
    p.line(start, 0);
    const lines = Array.from({ length: 200 }, (_, i) => p.line(subcall(`x${i}`), i * 10)).filter(Boolean);
    assert.deepEqual(lines, ['1 sub-call (llm_query)…', '101 sub-calls (llm_query)…']);
  });
});
