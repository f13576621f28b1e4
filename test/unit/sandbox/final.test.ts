import assert from 'node:assert/strict';
import type { SandboxSession } from '../../../src/core/sandbox/types';
import { run, sessionPerTest } from './helpers';

describe('sandbox final answer', function () {
  let s: SandboxSession;
  sessionPerTest((_harness, session) => {
    s = session;
  });

  it('FINAL(string) finishes with the string as it is', async () => {
    const r = await s.runCell('const t = "The answer is in src/a.ts:2"\nFINAL(t)');
    assert.deepEqual(r.final, { value: 'The answer is in src/a.ts:2' });
  });

  it('FINAL(value) serialises other values with the safe formatter', async () => {
    const r = await s.runCell('FINAL({ files: ["a", "b"], n: 2, get g() { return 1 } })');
    assert.deepEqual(r.final, { value: '{ files: [ "a", "b" ], n: 2, g: [Getter] }' });
  });

  it('FINAL_VAR(name) finishes with a REPL variable', async () => {
    const r = await run(s, 'let report = "done: " + 3', 'FINAL_VAR("report")');
    assert.deepEqual(r.final, { value: 'done: 3' });
  });

  it('FINAL_VAR of an unknown name is an error and does not finish', async () => {
    const r = await s.runCell('FINAL_VAR("nothing_here")');
    assert.equal(r.final, undefined);
    assert.match(r.error ?? '', /ReferenceError: FINAL_VAR: there is no REPL variable named "nothing_here"/);
    assert.match((await s.runCell('FINAL_VAR(42)')).error ?? '', /TypeError/);
  });

  it('FINAL(undefined) and FINAL_VAR of an undefined variable are errors, not empty answers', async () => {
    const r = await s.runCell('let result\nFINAL(result)');
    assert.equal(r.final, undefined);
    assert.equal(r.error, 'TypeError: FINAL needs a value, got undefined (line 2)');
    assert.match((await s.runCell('FINAL_VAR("result")')).error ?? '', /FINAL_VAR: the variable "result" is undefined/);
  });

  it('the last FINAL of a cell wins', async () => {
    const r = await s.runCell('FINAL("draft"); FINAL("final")');
    assert.deepEqual(r.final, { value: 'final' });
  });

  it('answer.content then answer.ready = true finishes, also across cells', async () => {
    const one = await s.runCell('answer.content = "partial"');
    assert.equal(one.final, undefined);
    const two = await s.runCell('answer.content += " and complete"; answer.ready = true;');
    assert.deepEqual(two.final, { value: 'partial and complete' });
  });

  it('answer["ready"] = true without content is an error, and ready = false does nothing', async () => {
    const r = await s.runCell('answer["ready"] = true');
    assert.equal(r.final, undefined);
    assert.match(r.error ?? '', /set answer.content before answer.ready = true/);
    const f = await s.runCell('answer.content = "x"; answer.ready = false');
    assert.equal(f.final, undefined);
  });

  it('FINAL written in a string, a comment or output does nothing', async () => {
    const r = await s.runCell('// FINAL("from a comment")\nconst s1 = \'FINAL("in a string")\'\nprint("FINAL(42)")\n"FINAL_VAR(s1)"');
    assert.equal(r.final, undefined);
    assert.equal(r.output, 'FINAL(42)\nFINAL_VAR(s1)');
  });

  it('a FINAL in a branch that does not run does nothing', async () => {
    const r = await s.runCell('if (false) FINAL("no")\n1');
    assert.equal(r.final, undefined);
  });

  it('keeps the final answer when the cell fails after FINAL', async () => {
    const r = await s.runCell('FINAL("kept")\nnull.x');
    assert.deepEqual(r.final, { value: 'kept' });
    assert.match(r.error ?? '', /TypeError/);
  });

  it('escapes control characters in the final value', async () => {
    const r = await s.runCell('FINAL("a\\u202eb\\u001bc")');
    assert.deepEqual(r.final, { value: 'a\\u202eb\\u001bc' });
  });
});
