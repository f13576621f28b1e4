import { strict as assert } from 'node:assert';
import { compactHistory, describeCell, replyMessage } from '../../../src/core/rlm/replMessages';

describe('REPL messages to the root model', () => {
  it('shows output and errors with no "Cell:" prefix (a marker only between several blocks), and asks for prints when a cell printed nothing', () => {
    assert.equal(describeCell(0, 1, { output: 'hi', durationMs: 1 }), 'hi');
    assert.equal(describeCell(1, 3, { output: '', error: 'ReferenceError: x is not defined (line 2)', durationMs: 1 }), '[block 2 of 3]\nError: ReferenceError: x is not defined (line 2)');
    assert.match(describeCell(0, 1, { output: '', durationMs: 1 }), /no output: print/);
  });

  it('states the turn, skipped blocks and the last turns', () => {
    assert.equal(replyMessage(3, 30, ['1'], 0), '[turn 3/30] REPL output:\n1');
    assert.match(replyMessage(3, 30, ['1'], 2), /2 later blocks were not run because a cell failed/);
    assert.match(replyMessage(29, 30, ['x'], 0), /Only 1 turn left/);
  });

  it('cuts REPL outputs older than the last turns, keeping code and recent output whole', () => {
    const big = 'y'.repeat(5000);
    const messages = [
      { role: 'system' as const, content: 's' },
      { role: 'user' as const, content: 'question' },
      ...Array.from({ length: 8 }, (_, i) => [
        { role: 'assistant' as const, content: `code ${i} ${big}` },
        { role: 'user' as const, content: `[turn ${i + 1}/30] REPL output:\n${big}` },
      ]).flat(),
    ];
    const out = compactHistory(messages, 6, 1500);
    const replies = out.filter((m) => m.content.startsWith('[turn '));
    assert.equal(replies.filter((m) => m.content.length < 2000).length, 2, 'the 2 oldest outputs are cut');
    assert.match(replies[0].content, /older output cut/);
    assert.ok(replies.slice(2).every((m) => m.content.length > 5000));
    assert.ok(out.filter((m) => m.role === 'assistant').every((m) => m.content.length > 5000), 'code is kept');
    assert.equal(out[1].content, 'question');
  });
});
