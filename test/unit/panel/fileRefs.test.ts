import { strict as assert } from 'node:assert';
import { findRefs, findRefsAfter, RefIndex, unresolvedRefs } from '../../../src/fileRefs';

const index = new RefIndex([
  { path: 'builtin/gc.c', lines: 3000 },
  { path: 'odb/source-files.c', lines: 900 },
  { path: 'src/requests/adapters.py', lines: 760 },
  { path: 'a/config.ts', lines: 10 },
  { path: 'b/config.ts', lines: 10 },
]);
const checks = (text: string) => findRefs(text).map((m) => ({ text: m.text, ...index.check(m) }));

describe('file references', () => {
  it('reads ":start-end" and "lines a-b" after a path as lines of that path', () => {
    const refs = findRefs('Thresholds at `odb/source-files.c:514-515`; `gc.auto <= 0` disables it (`:524-525`), see lines 302-307 and line 9.');
    assert.deepEqual(
      refs.map((m) => m.ref),
      [
        { path: 'odb/source-files.c', line: 514, endLine: 515 },
        { path: 'odb/source-files.c', line: 524, endLine: 525 },
        { path: 'odb/source-files.c', line: 302, endLine: 307 },
        { path: 'odb/source-files.c', line: 9 },
      ],
    );
    assert.equal(refs[1].text, ':524-525');
    assert.equal(refs[2].text, 'lines 302-307');
    // No path before them: not references; and a path named after does not count.
    assert.equal(findRefs('see lines 3-4 and :12 of builtin/gc.c').length, 1);
    // The path carries over from an earlier text node of the same answer.
    assert.deepEqual(findRefsAfter('(`:7`)', 'builtin/gc.c').refs.map((m) => m.ref), [{ path: 'builtin/gc.c', line: 7 }]);
    // Times and ratios are not lines.
    assert.equal(findRefs('builtin/gc.c ran at 12:30, ratio 3:2').length, 1);
  });

  it('links a path without its folder (or root) when exactly one mapped file ends with it', () => {
    const [c] = checks('gc.c:42');
    assert.deepEqual(c, { text: 'gc.c:42', status: 'verified', ref: { path: 'builtin/gc.c', line: 42 } });
    assert.equal(checks('requests/adapters.py:81')[0].status, 'verified');
    assert.deepEqual((checks('requests/adapters.py:81')[0] as { ref: unknown }).ref, { path: 'src/requests/adapters.py', line: 81 });
    // Two files end with it: not guessed.
    assert.equal(checks('config.ts:3')[0].status, 'unverified');
    assert.match((checks('config.ts:3')[0] as { reason: string }).reason, /2 files end with config\.ts/);
    // A suffix must start at a folder boundary.
    assert.equal(checks('c/gc.c:1')[0].status, 'unverified');
  });

  it('leaves identifiers that merely look like file names as plain text, and marks path-shaped references that do not resolve', () => {
    assert.deepEqual(checks('return res.json() or config.ts'), [
      { text: 'res.json', status: 'plain' },
      { text: 'config.ts', status: 'plain' },
    ]);
    assert.equal(checks('src/missing.ts')[0].status, 'unverified');
    assert.equal(checks('missing.ts:4')[0].status, 'unverified');
    assert.deepEqual(checks('builtin/gc.c:3001')[0], { text: 'builtin/gc.c:3001', status: 'unverified', reason: 'builtin/gc.c has 3000 lines' });
    assert.equal(checks('builtin/gc.c:2999-3000')[0].status, 'verified');
  });

  it("lists an answer's unresolved references once each", () => {
    const bad = unresolvedRefs('See builtin/gcc.c:10, builtin/gcc.c:10 and gc.c:5000; res.json is fine; builtin/gc.c:1 too.', index);
    assert.deepEqual(bad, [
      { text: 'builtin/gcc.c:10', reason: 'no such file in the workspace' },
      { text: 'gc.c:5000', reason: 'builtin/gc.c has 3000 lines' },
    ]);
  });
});
