import { strict as assert } from 'node:assert';
import { NodeFileSource, scanWorkspace, type ScanOptions } from '../../../src/core/workspace';
import { compileGlob, MAX_GLOB_WORK } from '../../../src/core/workspace/globMatch';
import { findRipgrep } from '../../../src/core/workspace/grepRipgrep';
import { makeTree, rejectsWith, removeTree } from './fixture';

/** Both grep engines, ripgrep when this machine has it: the glob filter must mean the same in each. */
const engines: Array<[string, ScanOptions]> = [['JS worker', { grepEngine: 'js' }]];
if (findRipgrep() !== undefined) engines.unshift(['ripgrep', {}]);

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

// Models write `**/x.ts` and expect "x.ts in any folder", and reach for `!` to leave folders out
// (as in .gitignore and VS Code's search fields): both must mean what they mean there.
describe('workspace map: glob syntax', () => {
  const yes = (glob: string | string[], ...paths: string[]) => {
    const m = compileGlob(glob);
    for (const p of paths) assert.equal(m(p), true, `${JSON.stringify(glob)} should match ${p}`);
  };
  const no = (glob: string | string[], ...paths: string[]) => {
    const m = compileGlob(glob);
    for (const p of paths) assert.equal(m(p), false, `${JSON.stringify(glob)} should not match ${p}`);
  };

  it('a leading **/ stands for whole folders, not any prefix', () => {
    yes('**/x.ts', 'x.ts', 'a/x.ts', 'a/b/x.ts');
    no('**/x.ts', 'srcx.ts', 'a/srcx.ts', 'a/b/cx.ts');
    yes('src/**/x.ts', 'src/x.ts', 'src/a/x.ts', 'src/a/b/x.ts');
    no('src/**/x.ts', 'src/ax.ts', 'srcx.ts', 'src/a/bx.ts');
    yes('**/test/**', 'test/a.c', 'a/test/b.c', 'a/b/test/c/d.c');
    no('**/test/**', 'atest/b.c', 'a/latest/b.c');
    yes('**/**/x.ts', 'x.ts', 'a/b/x.ts');
    no('**/**/x.ts', 'ax.ts', 'a/bx.ts');
    yes('**/*.ts', 'x.ts', 'a/b/x.ts');
  });

  it('a glob starting with ! excludes; alone it means everything but', () => {
    yes('!src/**', 'README.md', 'lib/a.ts', 'srcx/a.ts');
    no('!src/**', 'src/a.ts', 'src/b/c.ts');
    yes('!*.test.ts', 'a.ts', 'src/a.ts');
    no('!*.test.ts', 'a.test.ts', 'src/b/a.test.ts');
    no('!{test,docs}/**', 'test/a.c', 'docs/x.md');
    yes('!{test,docs}/**', 'src/a.c');
  });

  it('a comma-separated list (or an array) matches any include and no exclude, in any order', () => {
    for (const list of ['src/**/*.ts, !**/*.test.ts', '!**/*.test.ts,src/**/*.ts', ['src/**/*.ts', '!**/*.test.ts']]) {
      yes(list, 'src/a.ts', 'src/b/c.ts');
      no(list, 'src/a.test.ts', 'lib/a.ts', 'src/a.js');
    }
    yes('*.c, *.h', 'a.c', 'x/b.h');
    no('*.c, *.h', 'a.cc');
    yes('!t/**, !*.md', 'src/a.c');
    no('!t/**, !*.md', 't/a.c', 'src/README.md');
    // Commas inside braces are alternatives, not list separators; `\,` and `\!` are literal.
    yes('{src,lib}/*.ts', 'src/a.ts', 'lib/a.ts');
    yes('a\\,b.txt', 'a,b.txt');
    no('a\\,b.txt', 'a', 'b.txt');
    yes('\\!important.md', '!important.md');
    no('\\!important.md', 'important.md');
  });

  it('any other name of the file (its path inside its root) is checked by includes and excludes alike', () => {
    const m = compileGlob('!src/**');
    assert.equal(m('web/src/a.ts', 'src/a.ts'), false);
    assert.equal(m('web/lib/a.ts', 'lib/a.ts'), true);
    const inc = compileGlob('src/**, !**/gen/**');
    assert.equal(inc('web/src/a.ts', 'src/a.ts'), true);
    assert.equal(inc('web/src/gen/a.ts', 'src/gen/a.ts'), false);
  });

  it('refuses a lone !, an empty list item and a list over the work cap, saying what to write', () => {
    assert.throws(() => compileGlob('!'), /glob '!' excludes nothing: write '!' then a glob/);
    assert.throws(() => compileGlob('src/**, !'), /glob '!' excludes nothing/);
    assert.throws(() => compileGlob('*.ts,,*.js'), /has an empty item/);
    assert.throws(() => compileGlob('*.ts,'), /has an empty item/);
    assert.throws(() => compileGlob([]), /glob list is empty/);
    assert.throws(() => compileGlob(['*.ts', ' ']), /non-empty string/);
    const half = '?a'.repeat(140) + '{a,b}'; // 562 steps; twice is over the cap
    assert.doesNotThrow(() => compileGlob(half));
    assert.throws(() => compileGlob([half, `!${half}`]), /glob too complex/);
  });

  describe('from grep', () => {
    let dir: string;
    before(() => {
      dir = makeTree({
        'src/x.ts': 'needle\n',
        'srcx.ts': 'needle\n',
        'src/deep/x.ts': 'needle\n',
        'src/a.test.ts': 'needle\n',
        'test/t.ts': 'needle\n',
        'docs/d.md': 'needle\n',
      });
    });
    after(() => removeTree(dir));

    for (const [engine, opts] of engines) {
      it(`${engine}: **/x.ts finds x.ts in folders only; ! leaves folders and names out`, async () => {
        const ws = await scanWorkspace([{ name: 'w', source: new NodeFileSource(dir) }], opts);
        const paths = async (glob: string) => (await ws.grep('needle', { glob })).hits.map((h) => h.path).sort();
        assert.deepEqual(await paths('**/x.ts'), ['src/deep/x.ts', 'src/x.ts']);
        assert.deepEqual(await paths('!src/**'), ['docs/d.md', 'srcx.ts', 'test/t.ts']);
        assert.deepEqual(await paths('src/**, !*.test.ts'), ['src/deep/x.ts', 'src/x.ts']);
        assert.deepEqual(await paths('!test/**, !docs/**, !src/deep/**'), ['src/a.test.ts', 'src/x.ts', 'srcx.ts']);
        await rejectsWith(ws.grep('needle', { glob: '!' }), 'glob-invalid', /write '!' then a glob/);
      });
    }
  });
});

describe('workspace map: glob excludes in a multi-root workspace', () => {
  let a: string;
  let b: string;
  before(() => {
    a = makeTree({ 'src/x.ts': 'needle\n', 'lib/y.ts': 'needle\n' });
    b = makeTree({ 'src/z.ts': 'needle\n' });
  });
  after(() => {
    removeTree(a);
    removeTree(b);
  });
  for (const [engine, opts] of engines) {
    it(`${engine}: an exclude applies whether it names the root-prefixed path or the path inside its root`, async () => {
      const ws = await scanWorkspace([{ name: 'a', source: new NodeFileSource(a) }, { name: 'b', source: new NodeFileSource(b) }], opts);
      const paths = async (glob: string) => (await ws.grep('needle', { glob })).hits.map((h) => h.path).sort();
      assert.deepEqual(await paths('!src/**'), ['a/lib/y.ts']);
      assert.deepEqual(await paths('!a/src/**'), ['a/lib/y.ts', 'b/src/z.ts']);
      assert.deepEqual(await paths('src/**'), ['a/src/x.ts', 'b/src/z.ts']);
      assert.deepEqual(await paths('a/**, !lib/**'), ['a/src/x.ts']);
    });
  }
});
