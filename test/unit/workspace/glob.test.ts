import { strict as assert } from 'node:assert';
import { NodeFileSource, scanWorkspace, type ScanOptions } from '../../../src/core/workspace';
import { compileGlob, MAX_GLOB_WORK } from '../../../src/core/workspace/globMatch';
import { findRipgrep } from '../../../src/core/workspace/grepRipgrep';
import { makeTree, rejectsWith, removeTree } from './fixture';

// A model-chosen glob is matched on the host's main thread against every mapped path: its cost
// must be capped up front, not discovered by freezing the extension host.
describe('workspace map: glob cost', () => {
  it('collapses runs of * and ? without changing what they match', () => {
    const m = compileGlob('x*?*?y');
    assert.equal(m('xaby'), true);
    assert.equal(m('xabcdy'), true);
    assert.equal(m('xay'), false);
    assert.equal(m('x/aby'), false);
    assert.equal(compileGlob('??')('ab'), true);
    assert.equal(compileGlob('??')('abc'), false);
    // 240 `*?` pairs collapse to 241 tokens: under the cap, and still "at least 240 characters".
    const long = compileGlob('*?'.repeat(240));
    assert.equal(long('a'.repeat(240)), true);
    assert.equal(long('a'.repeat(239)), false);
  });

  it(`refuses a glob whose alternatives add up to more than ${MAX_GLOB_WORK} steps`, () => {
    assert.throws(() => compileGlob('**/' + '?a'.repeat(20) + '{a,b}{c,d}{e,f}{g,h}{i,j}'), /glob too complex/);
  });

  describe('from grep, on 3,000 files', () => {
    let dir: string;
    before(() => {
      const spec: Record<string, string> = {};
      for (let i = 0; i < 3000; i++) spec[`src/widgets/SomeVeryLongComponentName${i}.tsx`] = 'hello\n';
      dir = makeTree(spec);
    });
    after(() => removeTree(dir));

    const engines: Array<[string, ScanOptions]> = [['JS worker', { grepEngine: 'js' }]];
    if (findRipgrep() !== undefined) engines.unshift(['ripgrep', {}]);
    for (const [engine, opts] of engines) {
      it(`${engine}: the reviewer's freezing glob is refused; a heavy allowed one works while the host ticks`, async () => {
        const ws = await scanWorkspace([{ name: 'w', source: new NodeFileSource(dir) }], opts);
        const repro = ('**/' + '*?'.repeat(232) + '{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}').slice(0, 500);
        await rejectsWith(ws.grep('hello', { glob: repro }), 'glob-invalid', /glob too complex/);

        let ticks = 0;
        const iv = setInterval(() => ticks++, 1);
        try {
          const r = await ws.grep('hello', { glob: '**/' + '*e'.repeat(200) + '*', maxResults: 5 });
          assert.equal(r.hits.length, 0);
          const ok = await ws.grep('hello', { glob: '{src,lib}/**/*Name1?9.{tsx,ts}', maxResults: 1000 });
          assert.deepEqual(ok.hits.map((h) => h.path).sort(), Array.from({ length: 10 }, (_, i) => `src/widgets/SomeVeryLongComponentName1${i}9.tsx`));
        } finally {
          clearInterval(iv);
        }
        assert.ok(ticks > 0, 'the host event loop never ran during the grep');
      });
    }
  });
});
