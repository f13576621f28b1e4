import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { parseLetter } from '../../../src/core/eval/choice';
import { loadDataset, parseDataset } from '../../../src/core/eval/dataset';
import { RlmError } from '../../../src/core/errors';
import { SHIPPED } from './evalHarness';

const FILE = '/data/set.jsonl';
const line = (o: object) => JSON.stringify({ repo: 'repo', question: 'Q?', choices: ['x', 'y'], answer: 'B', ...o });
const rejects = (text: string, pattern: RegExp) =>
  assert.throws(() => parseDataset(text, FILE), (err: unknown) => err instanceof RlmError && err.code === 'dataset-invalid' && pattern.test(err.message));

describe('eval dataset', () => {
  it('reads array and lettered choices, resolves repositories against the dataset file, defaults ids to line numbers', () => {
    const items = parseDataset(`${line({})}\n\n${line({ id: 'abs', repo: '/r', choices: { a: 'one', B: 'two', C: 'three' }, answer: 'c', tags: ['t'] })}\n`, FILE);
    assert.deepEqual(items.map((i) => [i.id, i.repo, Object.keys(i.choices).join(''), i.answer, i.tags]), [
      ['q1', '/data/repo', 'AB', 'B', []],
      ['abs', '/r', 'ABC', 'C', ['t']],
    ]);
    assert.notEqual(items[0].fingerprint, parseDataset(line({ question: 'Other?' }), FILE)[0].fingerprint);
  });

  it('names the line and the fix for every malformed line', () => {
    rejects('{oops', /line 1: not valid JSON/);
    rejects(`${line({ id: 'a' })}\n${line({ id: 'a' })}`, /line 2: "id" "a" is used twice/);
    rejects(line({ id: '../etc' }), /"id" must be/);
    rejects(line({ answer: 'C' }), /"answer" must be one of the choice letters A, B/);
    rejects(line({ choices: ['only'] }), /"choices" must hold 2 to 26/);
    rejects(line({ choices: { A: 'x', C: 'y' } }), /letters must run A, B, C/);
    rejects(line({ question: ' ' }), /"question" must be a non-empty string/);
    rejects(line({ repo: 3 }), /"repo" must name/);
    rejects(line({ tags: 'x' }), /"tags" must be an array/);
    rejects('\n\n', /no questions/);
  });

  it('the shipped dataset loads and every repository it names exists', async () => {
    const items = await loadDataset(SHIPPED);
    assert.ok(items.length >= 10);
    assert.ok(new Set(items.map((i) => i.repo)).size >= 2, 'over the project source and a fixture');
    await assert.rejects(loadDataset(join(__dirname, 'missing.jsonl')), /cannot read the dataset/);
  });

  it('reads a letter strictly: wrapped or with a full stop passes, prose, two letters or a letter not offered is malformed', () => {
    const offered = ['A', 'B', 'C', 'D'];
    for (const ok of ['B', ' b ', '(B)', '**B**', 'B.', '"B"', '`B`', '[B]', '\nB\n']) assert.equal(parseLetter(ok, offered), 'B', ok);
    for (const bad of ['The answer is B', 'B or C', 'BC', 'E', '', 'B) because', '(B) shout', undefined]) assert.equal(parseLetter(bad, offered), undefined, String(bad));
  });
});
