import * as assert from 'node:assert/strict';
import { EventIds, newRunId, TraceEventFactory } from '../../../src/core/trace/ids';

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

