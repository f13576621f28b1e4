import { strict as assert } from 'node:assert';
import type { TraceEvent } from '../../../src/core/trace/types';
import { TraceViewModel } from '../../../src/vscode/panel/traceViewModel';

describe('TraceViewModel', () => {
  it('a forced last call is titled as the forced answer, and the meter never shows 4/3', () => {
    const vm = new TraceViewModel();
    const ev: TraceEvent[] = [
      { type: 'run.start', id: 'r', ts: 0, runId: 'x', question: 'q', depth: 0, rootModel: 'm', subModel: 's', workspace: { root: '/', files: 1, bytes: 1 } },
      { type: 'iteration.start', id: 'i3', parentId: 'r', ts: 1, iteration: 3, maxIterations: 3 },
      { type: 'iteration.start', id: 'i4', parentId: 'r', ts: 2, iteration: 4, maxIterations: 3 },
    ];
    for (const e of ev) vm.apply(e);
    const titles = vm.allNodes().map((n) => n.title);
    assert.deepEqual(titles, ['Iteration 3/3', 'Forced answer (all 3 iterations used)']);
    assert.equal(vm.usage().iterations, 3);
  });

  it('names the models without a price when the cost is unknown', () => {
    const vm = new TraceViewModel();
    vm.apply({ type: 'run.start', id: 'r', ts: 0, runId: 'x', question: 'q', depth: 0, rootModel: 'm', subModel: 's', workspace: { root: '/', files: 1, bytes: 1 } });
    vm.apply({ type: 'model.response', id: 'a', parentId: 'r', ts: 1, model: 'priced', text: 't', usage: { promptTokens: 1, completionTokens: 1 }, costUsd: 0.1, ms: 1 });
    assert.equal(vm.usage().unpricedModels, undefined);
    vm.apply({ type: 'model.response', id: 'b', parentId: 'r', ts: 2, model: 'local-llama', text: 't', usage: { promptTokens: 1, completionTokens: 1 }, costUsd: null, ms: 1 });
    assert.deepEqual(vm.usage().unpricedModels, ['local-llama']);
  });
});
