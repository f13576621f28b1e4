import { strict as assert } from 'node:assert';
import { terminalSafe, visible } from '../../../src/core/text/visible';
import type { TraceEvent } from '../../../src/core/trace/types';
import { TraceViewModel } from '../../../src/vscode/panel/traceViewModel';

describe('visible / terminalSafe (user-facing text)', () => {
  it('makes zero-width, bidi and tag characters visible and keeps ordinary text', () => {
    assert.equal(visible('a\u200bb\u2060c\ufeffd'), 'a\\u200bb\\u2060c\\ufeffd');
    assert.equal(visible('x\u202eevil\u2066y'), 'x\\u202eevil\\u2066y');
    assert.equal(visible('ok\u{E0049}\u{E0047}'), 'ok\\udb40\\udc49\\udb40\\udc47');
    assert.equal(visible('plain text, tabs\tand\nnewlines, é, 日本語'), 'plain text, tabs\tand\nnewlines, é, 日本語');
    assert.equal(visible('bell\u0007'), 'bell\u0007', 'the panel shows controls as text; only the terminal escapes them');
  });

  it('keeps the joiners real text needs: emoji sequences and Persian / Indic spelling', () => {
    for (const ok of ['👩\u200d💻', '👨🏽\u200d🚀', 'می\u200cخواهم', 'क्\u200dष']) assert.equal(visible(ok), ok);
    assert.equal(visible('ad\u200dmin'), 'ad\\u200dmin');
    assert.equal(visible('ad\u200cmin'), 'ad\\u200cmin');
  });

  it('escapes every terminal control except newline and tab, idempotently, and stays valid JSON', () => {
    const hostile = 'a\u001b[2J\u0007\u009b31m\u007f\r\u202e\u200b\u{E0041}\tz\n';
    const safe = terminalSafe(hostile);
    assert.equal(safe, 'a\\u001b[2J\\u0007\\u009b31m\\u007f\\u000d\\u202e\\u200b\\udb40\\udc41\tz\n');
    assert.equal(terminalSafe(safe), safe);
    const json = terminalSafe(JSON.stringify({ answer: hostile }));
    assert.equal(JSON.parse(json).answer, hostile);
  });

  it('the panel view model shows invisible characters in the tree, the answer and the question', () => {
    const vm = new TraceViewModel();
    const ev = (e: Partial<TraceEvent> & { type: TraceEvent['type'] }) => ({ id: String(Math.random()), ts: 1, ...e }) as TraceEvent;
    vm.apply(ev({ type: 'run.start', id: 'r', runId: 'run', question: 'why\u200b?', depth: 1, rootModel: 'm', subModel: 'm', workspace: { root: '/w', files: 1, bytes: 1 } } as never));
    vm.apply(ev({ type: 'iteration.start', id: 'i', parentId: 'r', iteration: 1, maxIterations: 3 } as never));
    vm.apply(ev({ type: 'cell.start', id: 'c', parentId: 'i', code: 'print("a\u{E0041}")' } as never));
    vm.apply(ev({ type: 'cell.output', id: 'o', parentId: 'c', cellId: 'c', output: 'out\u202e', error: 'err\u200d', ms: 1 } as never));
    vm.apply(ev({ type: 'run.end', parentId: 'r', status: 'answered', answer: 'See src/a.ts\u200b', reason: 'r\u2066', iterations: 1, subcalls: 0, usage: {}, costUsd: null, ms: 1 } as never));
    const cell = vm.allNodes().find((n) => n.id === 'c')!;
    assert.equal(cell.body, 'print("a\\udb40\\udc41")');
    assert.equal(cell.output, 'out\\u202e');
    assert.equal(cell.error, 'err\\u200d');
    assert.equal(vm.outcome?.answer, 'See src/a.ts\\u200b');
    assert.equal(vm.outcome?.reason, 'r\\u2066');
    assert.equal(vm.header?.question, 'why\\u200b?');
  });
});
