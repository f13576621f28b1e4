import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NodeFileSource, scanWorkspace, type FileSource, type ScanOptions, type Workspace } from '../../../src/core/workspace';
import { findRipgrep, rgCompatible } from '../../../src/core/workspace/grepRipgrep';
import { jsEngine, makeTree, rejectsWith, removeTree } from './fixture';

const hasRg = findRipgrep() !== undefined;

describe('workspace map: grep', () => {
  let dir: string;
  const many = Array.from({ length: 1500 }, (_, i) => `hit ${i}`).join('\n') + '\n';
  before(() => {
    dir = makeTree({
      'src/a.ts': 'const alpha = 1;\nfunction foo() {}\nfoobar();\nconst BETA = 2;\nreturn foo;\n',
      'src/b.js': 'let x = "FooBar";\nnothing here\n',
      'src/deep/c.ts': 'aa bb\nfoo foo\ncc dd\n',
      'docs/notes.md': 'foo in docs\n',
      'long.txt': 'foo' + 'x'.repeat(2000) + '\n',
      'many.txt': many,
      'evil.txt': 'a'.repeat(32) + 'b\n',
      'ünï/cödé.ts': 'foo unicode\n',
      '.env': 'foo=SECRET\n',
      '.gitignore': 'ignored/\n',
      'ignored/x.ts': 'foo ignored\n',
      'node_modules/p/index.js': 'foo dep\n',
      'bin.dat': Buffer.concat([Buffer.from('foo '), Buffer.from([0]), Buffer.from(' foo\n')]),
      'link.ts': { symlink: 'src/a.ts' },
    });
  });
  after(() => removeTree(dir));

  const engines: Array<[string, ScanOptions]> = [['JS worker', { grepEngine: 'js' }]];
  if (hasRg) engines.unshift(['ripgrep', {}]);

  for (const [engine, opts] of engines) {
    describe(`with the ${engine} engine`, () => {
      let ws: Workspace;
      before(async () => {
        ws = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(dir) }], opts);
      });

      it('returns hits sorted by path then line, as fresh plain objects', async () => {
        const r = await ws.grep('foo\\b', {});
        assert.deepEqual(
          r.hits.map((h) => `${h.path}:${h.line}`),
          ['docs/notes.md:1', 'src/a.ts:2', 'src/a.ts:5', 'src/deep/c.ts:2', 'ünï/cödé.ts:1'],
        );
        assert.equal(r.truncated, false);
        assert.deepEqual(r.hits[1], { path: 'src/a.ts', line: 2, text: 'function foo() {}', before: [], after: [] });
        assert.equal(Object.getPrototypeOf(r.hits[0]), Object.prototype);
        r.hits[0].text = 'mutated';
        assert.equal((await ws.grep('foo\\b', {})).hits[0].text, 'foo in docs');
      });

      it('never returns hits from secret, ignored, binary or symlinked files', async () => {
        const r = await ws.grep('foo', { maxResults: 1000 });
        const files = new Set(r.hits.map((h) => h.path));
        for (const p of ['.env', 'ignored/x.ts', 'node_modules/p/index.js', 'bin.dat', 'link.ts']) assert.ok(!files.has(p), p);
        assert.equal((await ws.grep('SECRET', {})).hits.length, 0);
      });

      it('honours ignoreCase', async () => {
        assert.deepEqual((await ws.grep('foobar', {})).hits.map((h) => h.path), ['src/a.ts']);
        assert.deepEqual((await ws.grep('foobar', { ignoreCase: true })).hits.map((h) => h.path), ['src/a.ts', 'src/b.js']);
      });

      it('filters by glob: a name glob matches in any folder, a path glob the whole path', async () => {
        assert.deepEqual((await ws.grep('foo', { glob: '*.ts' })).hits.map((h) => h.path), ['src/a.ts', 'src/a.ts', 'src/a.ts', 'src/deep/c.ts', 'ünï/cödé.ts']);
        assert.deepEqual((await ws.grep('foo', { glob: 'src/*.ts' })).hits.map((h) => `${h.path}:${h.line}`), ['src/a.ts:2', 'src/a.ts:3', 'src/a.ts:5']);
        assert.deepEqual((await ws.grep('foo', { glob: 'src/**/*.{md,ts}' })).hits.length, 4);
        assert.deepEqual((await ws.grep('foo', { glob: '**/*.md' })).hits.map((h) => h.path), ['docs/notes.md']);
      });

      it('adds up to contextLines lines before and after each hit, capped at 10', async () => {
        const r = await ws.grep('foobar', { contextLines: 1 });
        assert.deepEqual(r.hits[0], { path: 'src/a.ts', line: 3, text: 'foobar();', before: ['function foo() {}'], after: ['const BETA = 2;'] });
        const wide = await ws.grep('^hit 750$', { contextLines: 50 });
        assert.equal(wide.hits[0].before.length, 10);
        assert.equal(wide.hits[0].after.length, 10);
        assert.equal(wide.hits[0].before[0], 'hit 740');
        const edge = await ws.grep('alpha', { contextLines: 3 });
        assert.deepEqual(edge.hits[0].before, []);
        assert.equal(edge.hits[0].after.length, 3);
      });

      it('caps hits at maxResults (hard cap 1,000) and says so', async () => {
        const r = await ws.grep('^hit \\d+$', { maxResults: 5 });
        assert.equal(r.hits.length, 5);
        assert.equal(r.truncated, true);
        const all = await ws.grep('^hit \\d+$', { maxResults: 5000 });
        assert.equal(all.hits.length, 1000);
        assert.equal(all.truncated, true);
        const dflt = await ws.grep('^hit \\d+$', {});
        assert.equal(dflt.hits.length, 100);
      });

      it('spreads the hits across files when it has to cut them, the same on every run', async function () {
        // Five cut greps, each counting then reading (two worker processes): slow on a busy machine.
        this.timeout(180_000);
        const spec: Record<string, string> = {};
        for (let i = 0; i < 60; i++) spec[`m/f${String(i).padStart(2, '0')}.txt`] = 'needle one\nneedle two\n';
        const d = makeTree(spec);
        try {
          const w = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(d) }], opts);
          const want = ['m/f00.txt:1', 'm/f01.txt:1', 'm/f02.txt:1', 'm/f03.txt:1', 'm/f04.txt:1'];
          for (let run = 0; run < 5; run++) {
            const r = await w.grep('needle', { maxResults: 5 });
            assert.deepEqual(r.hits.map((h) => `${h.path}:${h.line}`), want);
            assert.equal(r.truncated, true);
            assert.equal(r.total, 120);
            assert.equal(r.files, 60);
          }
        } finally {
          removeTree(d);
        }
      });

      it('cuts long lines', async () => {
        const r = await ws.grep('^foox', {});
        assert.equal(r.hits[0].text.length, 501);
        assert.ok(r.hits[0].text.endsWith('…'));
      });

      it('finishes a catastrophic pattern in linear time or kills it, and the host stays responsive', async () => {
        const slow = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(dir) }], { ...opts, grepTimeoutMs: 1500 });
        let settled = false;
        const running = slow.grep('(a+)+$', { glob: 'evil.txt' }).then(
          (r) => `finished with ${r.hits.length} hits`,
          (e: Error & { code?: string }) => e.code,
        );
        void running.finally(() => (settled = true));
        if (engine === 'JS worker') {
          // 2^32 backtracking steps never end before the kill: meanwhile this process runs timers.
          await new Promise((resolve) => setTimeout(resolve, 20));
          assert.equal(settled, false, 'a timer ran while the regex was still running elsewhere');
        }
        assert.equal(await running, engine === 'ripgrep' ? 'finished with 0 hits' : 'limit-grep-time');
      });

      it('can be cancelled', async () => {
        const ac = new AbortController();
        ac.abort();
        await rejectsWith(ws.grep('foo', {}, ac.signal), 'cancelled', /cancelled/);
      });
    });
  }

  describe('choosing and validating', () => {
    let ws: Workspace;
    before(async () => {
      ws = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(dir) }]);
    });

    it('runs JS-only syntax (lookbehind, backreferences) in the JS worker', async () => {
      assert.deepEqual((await ws.grep('(?<=const )[A-Z]+', {})).hits.map((h) => h.text), ['const BETA = 2;']);
      assert.deepEqual((await ws.grep('(foo) \\1', {})).hits.map((h) => `${h.path}:${h.line}`), ['src/deep/c.ts:2']);
      assert.deepEqual((await ws.grep('(?!foo)b{2}', {})).hits.map((h) => h.path), ['src/deep/c.ts']);
    });

    it('sends patterns that Rust regex reads differently to the JS engine', () => {
      assert.equal(rgCompatible('foo\\(bar\\)\\s+\\d'), true);
      assert.equal(rgCompatible('[a-z]+_[0-9]'), true);
      for (const p of ['[[:alpha:]]', '\\Aabc', '(?i)x', '[a-z&&[^aeiou]]', '\\x{41}', '\\p{L}', '[a--b]', '\\/']) {
        assert.equal(rgCompatible(p), false, p);
      }
    });

    it('answers many greps fired at once (they queue, two run at a time)', async () => {
      const patterns = Array.from({ length: 12 }, (_, i) => (i % 2 ? 'foo\\b' : '(?<=const )[A-Z]+'));
      const results = await Promise.all(patterns.map((p) => ws.grep(p, {})));
      results.forEach((r, i) => assert.equal(r.hits.length, i % 2 ? 5 : 1));
    });

    it('refuses invalid patterns and options clearly', async () => {
      await rejectsWith(ws.grep('(', {}), 'grep-invalid', /invalid regular expression \(JavaScript syntax\): \/\(\/: Unterminated group/);
      await rejectsWith(ws.grep('(?i)foo', {}), 'grep-invalid', /invalid regular expression/);
      await rejectsWith(ws.grep('', {}), 'grep-invalid', /non-empty/);
      await rejectsWith(ws.grep('x'.repeat(1001), {}), 'grep-invalid', /longer than 1000 characters/);
      await rejectsWith(ws.grep('x', { maxResults: 0 }), 'grep-invalid', /maxResults/);
      await rejectsWith(ws.grep('x', { contextLines: 1.5 }), 'grep-invalid', /contextLines/);
      await rejectsWith(ws.grep('x', { ignoreCase: 'yes' as unknown as boolean }), 'grep-invalid', /ignoreCase/);
      await rejectsWith(ws.grep('x', { glob: 'a'.repeat(600) }), 'glob-invalid', /glob is longer than 500/);
      await rejectsWith(ws.grep('x', { glob: 5 as unknown as string }), 'grep-invalid', /glob must be a string/);
      await rejectsWith(ws.grep('x', null as never), 'grep-invalid', /options/);
    });

    it('falls back to the JS worker when ripgrep is missing or the source is not local', async () => {
      const noRg = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(dir) }], { rgPath: path.join(dir, 'no-rg') });
      assert.deepEqual((await noRg.grep('foo\\b', { glob: '*.md' })).hits.map((h) => h.path), ['docs/notes.md']);
      const node = new NodeFileSource(dir);
      const remote: FileSource = {
        readDir: (p) => node.readDir(p),
        lstat: (p) => node.lstat(p),
        realpath: (p) => node.realpath(p),
        readFile: (p, n) => node.readFile(p, n),
      };
      const virtual = await scanWorkspace([{ name: 'ws', source: remote }]);
      assert.deepEqual((await virtual.grep('foo\\b', { glob: '*.md' })).hits.map((h) => h.path), ['docs/notes.md']);
    });

    it('runs the bundled worker (dist/grepWorker.js) when built', async function () {
      const bundled = path.join(__dirname, '../../../dist/grepWorker.js');
      if (!fs.existsSync(bundled)) return this.skip();
      const w = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(dir) }], { grepWorkerPath: bundled, grepEngine: 'js' });
      assert.deepEqual((await w.grep('(?<=const )[A-Z]+', {})).hits.map((h) => `${h.path}:${h.line}`), ['src/a.ts:4']);
    });

    it('reports a worker that cannot start as a clear error, without host paths', async () => {
      const w = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(dir) }], {
        grepEngine: 'js',
        grepWorkerPath: path.join(dir, 'missing-worker.js'),
      });
      await rejectsWith(w.grep('foo', {}), 'grep-failed', /^grep worker process stopped unexpectedly$/);
    });

    it('kills a runaway JS regex with its own pattern-independent timer', async function () {
      const big = makeTree({ 'x.txt': ('a'.repeat(40) + '!\n').repeat(50) });
      try {
        // 3 s: the follow-up grep's worker (loading the secret-masking rules for its hits) must
        // start well within it on a loaded machine.
        const w = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(big) }], { ...jsEngine(), grepTimeoutMs: 3000 });
        // The lookbehind keeps it off ripgrep; irregexp backtracks exponentially on it.
        await rejectsWith(w.grep('^(a|aa)+(?<!b)$', {}), 'limit-grep-time', /stopped after 3 s/);
        // The next grep starts a fresh worker and works.
        assert.equal((await w.grep('(?<=a)!', {})).hits.length, 50);
      } finally {
        removeTree(big);
      }
    });

    it('searches only the scope folder when scoped, and prefixes roots when multi-root', async () => {
      const scoped = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(dir) }], { scope: 'src' });
      assert.deepEqual([...new Set((await scoped.grep('foo', {})).hits.map((h) => h.path))], ['src/a.ts', 'src/deep/c.ts']);
      const other = makeTree({ 'lib/z.ts': 'foo again\n' });
      try {
        const multi = await scanWorkspace([
          { name: 'one', source: new NodeFileSource(dir) },
          { name: 'two', source: new NodeFileSource(other) },
        ]);
        const r = await multi.grep('foo\\b', {});
        assert.deepEqual(r.hits.map((h) => h.path), ['one/docs/notes.md', 'one/src/a.ts', 'one/src/a.ts', 'one/src/deep/c.ts', 'one/ünï/cödé.ts', 'two/lib/z.ts']);
        assert.deepEqual((await multi.grep('foo', { glob: 'lib/*.ts' })).hits.map((h) => h.path), ['two/lib/z.ts']);
        assert.deepEqual((await multi.grep('foo', { glob: 'two/**' })).hits.map((h) => h.path), ['two/lib/z.ts']);
        const scopedMulti = await scanWorkspace(
          [
            { name: 'one', source: new NodeFileSource(dir) },
            { name: 'two', source: new NodeFileSource(other) },
          ],
          { scope: 'src/deep' },
        );
        assert.deepEqual((await scopedMulti.grep('foo', {})).hits.map((h) => `${h.path}:${h.line}`), ['one/src/deep/c.ts:2']);
        assert.deepEqual((await scopedMulti.grep('(?<=foo )foo', {})).hits.map((h) => `${h.path}:${h.line}`), ['one/src/deep/c.ts:2']);
        const js = await multi.grep('(?<=foo )again', {});
        assert.deepEqual(js.hits.map((h) => h.path), ['two/lib/z.ts']);
      } finally {
        removeTree(other);
      }
    });

    it('finds the same hits with ripgrep as with the JS engine on a tree of nested ignore rules', async function () {
      if (!hasRg) return this.skip();
      const files = [
        'a.txt', 'x.log', 'keep.log', 'docs/a.md', 'docs/keep.md', 'docs/sub/a.md', 'pkg/n.o', 'pkg/local', 'pkg/x/local',
        'pkg/sub/f', 'pkg/y/sub/f', 'pkg/inner/local', 'pkg/inner/a.js', 'pkg/inner/a.ts', '.hidden/h.txt', 'Readme.MD',
        '.env.local', 'build/out.js', 'src/build/x.ts', 'big.txt',
      ];
      const spec: Record<string, string> = {
        '.gitignore': '*.log\n!keep.log\ndocs/*.md\n!docs/keep.md\n*.o\n',
        'pkg/.gitignore': '!*.o\n/local\nsub/\n',
        'pkg/inner/.gitignore': '!local\n*.js\n',
        '.git/info/exclude': 'Readme.MD\n',
      };
      for (const f of files) spec[f] = 'needle\n';
      spec['big.txt'] = 'needle\n' + 'x'.repeat(3000);
      const d = makeTree(spec);
      try {
        const opts = { maxFileBytes: 2000 };
        const viaRg = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(d) }], opts);
        const viaJs = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(d) }], { ...opts, grepEngine: 'js' });
        const rgPaths = (await viaRg.grep('needle', {})).hits.map((h) => h.path);
        const jsPaths = (await viaJs.grep('needle', {})).hits.map((h) => h.path);
        assert.deepEqual(rgPaths, jsPaths);
        assert.deepEqual(rgPaths, viaRg.context.files.filter((f) => !f.path.endsWith('.gitignore') && f.path !== '.git/info/exclude').map((f) => f.path));
        assert.ok(rgPaths.includes('pkg/n.o') && rgPaths.includes('.hidden/h.txt') && !rgPaths.includes('pkg/local'));
      } finally {
        removeTree(d);
      }
    });

    it('skips too-large files by exact path only, whatever characters their names hold', async () => {
      const big = 'needle\n' + 'x'.repeat(300);
      const d = makeTree({ 'a.ts': 'needle\n', 'b.ts': 'needle\n', '*.ts': big, '[ab].ts': big, '{a,b}.ts': big, 'sub/!x.ts': big, 'sub/c.ts': 'needle\n' });
      try {
        const w = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(d) }], { maxFileBytes: 100 });
        assert.equal(w.context.skipped.length, 4);
        assert.deepEqual((await w.grep('needle', {})).hits.map((h) => h.path), ['a.ts', 'b.ts', 'sub/c.ts']);
      } finally {
        removeTree(d);
      }
    });

    it('skips a file (or folder) that changed into a symlink since the scan', async () => {
      const d = makeTree({ 'a.txt': 'foo\n', 'b.txt': 'foo\n', 'outside/o.txt': 'foo\n', 'sub/c.txt': 'foo\n', 'elsewhere/c.txt': 'foo\n' });
      try {
        const w = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(d) }], { excludes: ['outside/', 'elsewhere/'] });
        fs.rmSync(path.join(d, 'b.txt'));
        fs.symlinkSync('outside/o.txt', path.join(d, 'b.txt'));
        fs.rmSync(path.join(d, 'sub'), { recursive: true });
        fs.symlinkSync('elsewhere', path.join(d, 'sub'));
        assert.deepEqual((await w.grep('(?<!x)foo', {})).hits.map((h) => h.path), ['a.txt']);
        assert.deepEqual((await w.grep('foo', {})).hits.map((h) => h.path), ['a.txt']);
      } finally {
        removeTree(d);
      }
    });
  });
});
