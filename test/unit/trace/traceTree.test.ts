import * as assert from 'node:assert/strict';
import { EventIds, newRunId, TraceEventFactory } from '../../../src/core/trace/ids';
import { TraceTree, type TraceNode } from '../../../src/core/trace/traceTree';
import type { TraceEvent } from '../../../src/core/trace/types';
import { sampleRun } from './fixtures';

/** The tree as nested [type, children] for readable comparisons. */
function shape(n: TraceNode): unknown {
  const label = n.end ? `${n.event.type}+${n.end.type}` : n.event.type;
  return n.children.length ? [label, n.children.map(shape)] : label;
}

const expected = [
  'run.start+run.end',
  [
    [
      'iteration.start',
      [
        'model.response',
        ['cell.start+cell.output', ['subcall.start+subcall.end', ['child.start', ['run.start+run.end']]]],
      ],
    ],
  ],
];

describe('TraceTree', () => {
  it('rebuilds the recursion tree from the stream, folding end events into their start', () => {
    const tree = TraceTree.fromEvents(sampleRun());
    assert.deepEqual(shape(tree.root!), expected);
    assert.equal(tree.size, 11);
    assert.equal(tree.missingParents().length, 0);
    const cell = tree.root!.children[0].children[1];
    assert.equal(cell.end?.type === 'cell.output' && cell.end.output, '3');
  });

  it('gives the same tree whatever order the events arrive in', () => {
    const events = sampleRun();
    for (const order of [[...events].reverse(), [events[5], events[3], events[9], events[0], ...events.slice(1, 3), events[4], ...events.slice(6, 9), events[10]]]) {
      assert.equal(order.length, events.length);
      const tree = TraceTree.fromEvents(order);
      assert.deepEqual(shape(tree.root!), expected);
      assert.equal(tree.missingParents().length, 0);
    }
  });

  it('grows live and reports parents that never came', () => {
    const events = sampleRun();
    const tree = new TraceTree();
    assert.equal(tree.root, undefined);
    const node = tree.add(events[0]);
    assert.equal(node?.event.id, events[0].id);
    assert.equal(tree.add(events[4]), undefined, 'sub-call waits for its cell');
    assert.deepEqual(tree.missingParents(), [events[3].id]);
    assert.equal(tree.add(events[1])?.event.type, 'iteration.start');
    tree.add(events[3]);
    assert.equal(tree.get(events[4].id)?.event.type, 'subcall.start');
    assert.deepEqual(tree.missingParents(), []);
  });

  it('keeps the first of duplicated events', () => {
    const events = sampleRun();
    const tree = TraceTree.fromEvents([...events, events[1]]);
    assert.equal(tree.root!.children.length, 1);
  });
});

describe('event ids and factory', () => {
  it('makes unique ids, timestamps and parent links', () => {
    const ids = new EventIds();
    const f = new TraceEventFactory(ids, () => 42);
    const a = f.make('iteration.start', 'p', { iteration: 1, maxIterations: 3 });
    const b = f.make('iteration.start', undefined, { iteration: 2, maxIterations: 3 });
    assert.notEqual(a.id, b.id);
    assert.equal(a.parentId, 'p');
    assert.ok(!('parentId' in b));
    assert.equal(a.ts, 42);
    const all = new Set(Array.from({ length: 1000 }, () => ids.next()));
    assert.equal(all.size, 1000);
  });

  it('run ids sort by time and are file-name safe', () => {
    const a = newRunId(new Date('2026-01-01T10:00:00Z'));
    const b = newRunId(new Date('2026-01-02T09:00:00Z'));
    assert.ok(a < b);
    assert.match(a, /^[0-9A-Za-z-]+$/);
  });
});

export type { TraceEvent };
