import { strict as assert } from 'node:assert';
import type { QuestionResult } from '../../../src/core/eval/results';
import { median, summarize, wilson } from '../../../src/core/eval/stats';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 5e-4, `${a} ≈ ${b}`);

describe('eval statistics', () => {
  it('Wilson 95% interval matches published values and stays inside [0, 1]', () => {
    const half = wilson(5, 10)!;
    close(half.low, 0.2366);
    close(half.high, 0.7634);
    const none = wilson(0, 10)!;
    close(none.low, 0);
    close(none.high, 0.2775);
    const paper = wilson(31, 50)!; // 62.0% of 50 questions
    close(paper.low, 0.4815);
    close(paper.high, 0.7417);
    assert.equal(wilson(0, 0), null);
  });

  it('median of odd and even counts', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([]), null);
  });

  it('cost per question and per correct answer; unknown when one cost is unknown', () => {
    const q = (id: string, correct: boolean, costUsd: number | null, extra: Partial<QuestionResult> = {}): QuestionResult => ({
      mode: 'rlm', id, fingerprint: 'f', tags: ['t'], status: 'answered', answer: 'A', letter: 'A', expected: correct ? 'A' : 'B', correct, malformed: false,
      turns: 3, subcalls: 2, usage: { m: { promptTokens: 10, completionTokens: 1, calls: 1 } }, costUsd, ms: 1000, trace: 't', ...extra,
    });
    const s = summarize('rlm', [q('a', true, 0.1), q('b', false, 0.3), q('c', true, 0.2), q('d', false, 0, { mode: 'direct' })]);
    assert.equal(s.questions, 3);
    close(s.costPerQuestion!, 0.2);
    close(s.costPerCorrect!, 0.3);
    assert.deepEqual(s.usage.m, { promptTokens: 30, completionTokens: 3, calls: 3 });
    assert.deepEqual(s.tags.t, { questions: 3, correct: 2 });
    const unknown = summarize('rlm', [q('a', true, 0.1), q('b', true, null)]);
    assert.equal(unknown.costPerQuestion, null);
    assert.equal(unknown.costPerCorrect, null);
  });
});
