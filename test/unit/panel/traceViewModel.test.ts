import * as assert from 'node:assert/strict';
import { TraceEventFactory } from '../../../src/core/trace/ids';
import type { TraceEvent } from '../../../src/core/trace/types';
import type { NodeView } from '../../../src/panelProtocol';
import { TraceViewModel } from '../../../src/vscode/panel/traceViewModel';
import { sampleRun } from '../trace/fixtures';

/** The view model's nodes as nested [kind, children] for readable comparisons. */
function shape(nodes: NodeView[], parentId?: string): unknown[] {
  return nodes.filter((n) => n.parentId === parentId).map((n) => {
    const children = shape(nodes, n.id);
    return children.length ? [n.kind, children] : n.kind;
  });
}

function fold(events: TraceEvent[]): TraceViewModel {
  const vm = new TraceViewModel();
  for (const e of events) vm.apply(e);
  return vm;
}

describe('TraceViewModel (the one trace-tree builder)', () => {
  it('links events into the recursion tree and folds end events into their start', () => {
    const vm = fold(sampleRun());
    assert.deepEqual(shape(vm.allNodes()), [['iteration', ['model', ['cell', ['subcall', ['child', ['iteration']]]]]]]);
    const cell = vm.allNodes().find((n) => n.kind === 'cell')!;
    assert.equal(cell.output, '3');
    assert.equal(cell.state, 'done');
  });

  it('ends a child run on its child.end, and the run on run.end only', () => {
    const events = sampleRun();
    const childEndAt = events.findIndex((e) => e.type === 'child.end');
    const vm = fold(events.slice(0, childEndAt + 1));
    const child = vm.allNodes().find((n) => n.kind === 'child')!;
    assert.equal(child.state, 'done');
    assert.equal(child.output, 'child answer');
    assert.equal(vm.outcome, undefined, 'a child run\'s end is not the run\'s');
    assert.equal(vm.ended, false);
    for (const e of events.slice(childEndAt + 1)) vm.apply(e);
    assert.deepEqual(vm.outcome, { status: 'answered', answer: 'src/auth.ts:2', reason: undefined });
    assert.equal(vm.ended, true);
  });

  it('reopens a trajectory written before child.end: a run.end under a child.start ends the child', () => {
    const legacy = sampleRun().map((e) => (e.type === 'child.end' ? ({ ...e, type: 'run.end' } as TraceEvent) : e));
    const cut = legacy.slice(0, -1); // without the top run's end
    const vm = fold(cut);
    assert.equal(vm.allNodes().find((n) => n.kind === 'child')!.state, 'done');
    assert.equal(vm.outcome, undefined, 'still the run\'s own end that ends it');
    vm.markInterrupted('cut off');
    assert.equal((vm.outcome as { status: string } | undefined)?.status, 'interrupted');
    assert.equal(fold(legacy).outcome?.status, 'answered');
  });

  it('shows the run\'s totals as the events carry them, never a sum of its own', () => {
    const events = sampleRun();
    const vm = new TraceViewModel();
    const seen: number[] = [];
    for (const e of events) {
      vm.apply(e);
      seen.push(vm.usage().tokens);
    }
    // 15 after the root model's reply, 21 after the sub-call, 21 in run.end's per-model usage.
    assert.deepEqual([...new Set(seen)], [0, 15, 21]);
    assert.equal(vm.usage().subcalls, 2, 'from run.end, which counts the child run\'s sub-calls too');
    assert.equal(vm.usage().costUsd, 0.5);
  });

  it('keeps a trajectory without totals (older runs) at zero until its run.end', () => {
    const events = sampleRun().map((e) => ('total' in e ? ({ ...e, total: undefined } as TraceEvent) : e));
    const vm = new TraceViewModel();
    for (const e of events.slice(0, -1)) vm.apply(e);
    assert.equal(vm.usage().tokens, 0);
    vm.apply(events.at(-1)!);
    assert.equal(vm.usage().tokens, 21);
  });

  it('reads a run that ended before its workspace was scanned', () => {
    let t = 1;
    const f = new TraceEventFactory(undefined, () => t++);
    const start = f.make('run.start', undefined, { runId: 'r', question: 'q', depth: 1, rootModel: 'm', subModel: 's' });
    const end = f.make('run.end', start.id, { status: 'failed', reason: 'Cannot read the workspace.', iterations: 0, subcalls: 0, usage: {}, costUsd: 0, ms: 1 });
    const vm = fold([start, end]);
    assert.equal(vm.header?.question, 'q');
    assert.deepEqual(vm.outcome, { status: 'failed', answer: undefined, reason: 'Cannot read the workspace.' });
    assert.deepEqual(vm.allNodes(), []);
  });

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
    vm.apply({ type: 'model.response', id: 'a', parentId: 'r', ts: 1, model: 'priced', text: 't', usage: { promptTokens: 1, completionTokens: 1 }, costUsd: 0.1, ms: 1, total: { tokens: 2, costUsd: 0.1, subcalls: 0 } });
    assert.equal(vm.usage().unpricedModels, undefined);
    vm.apply({ type: 'model.response', id: 'b', parentId: 'r', ts: 2, model: 'local-llama', text: 't', usage: { promptTokens: 1, completionTokens: 1 }, costUsd: null, ms: 1, total: { tokens: 4, costUsd: null, subcalls: 0 } });
    assert.deepEqual(vm.usage().unpricedModels, ['local-llama']);
  });
});

describe('TraceViewModel: a streaming reply', () => {
  it('grows one model node from its deltas and settles that same node with the model.response', () => {
    const f = new TraceEventFactory();
    const vm = new TraceViewModel();
    const start = f.make('run.start', undefined, { runId: 'r', question: 'q', depth: 0, rootModel: 'm', subModel: 's' });
    const it1 = f.make('iteration.start', start.id, { iteration: 1, maxIterations: 3 });
    vm.apply(start);
    vm.apply(it1);
    const [a] = vm.apply(f.make('model.delta', it1.id, { model: 'm', text: 'Hel', chars: 3 }));
    const [b] = vm.apply(f.make('model.delta', it1.id, { model: 'm', text: 'Hello wor', chars: 9 }));
    assert.equal(a.id, b.id);
    assert.deepEqual([b.kind, b.state, b.body], ['model', 'running', 'Hello wor']);
    const [c] = vm.apply(f.make('model.response', it1.id, { model: 'm', text: 'Hello world', usage: { promptTokens: 1, completionTokens: 2 }, costUsd: 0, ms: 5 }));
    assert.equal(c.id, a.id, 'the streamed node is settled, not doubled');
    assert.deepEqual([c.state, c.body], ['done', 'Hello world']);
    assert.equal(vm.allNodes().filter((n) => n.kind === 'model').length, 1);
    const [d] = vm.apply(f.make('model.delta', it1.id, { model: 'm', text: 'x'.repeat(5000), chars: 9000 }));
    assert.notEqual(d.id, a.id, 'a later call of the same iteration (the forced answer) gets its own node');
    assert.match(d.body!, /… \(5000 more characters so far\)$/);
  });
});
