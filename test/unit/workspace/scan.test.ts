import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NodeFileSource, scanWorkspace, type ContextMap, type DirNode, type FileSource, type ScanOptions } from '../../../src/core/workspace';
import { countLines } from '../../../src/core/workspace/scan';
import { makeTree, rejectsWith, removeTree, tmpDir } from './fixture';

const made: string[] = [];
function tree(spec: Parameters<typeof makeTree>[0]): string {
  const dir = makeTree(spec);
  made.push(dir);
  return dir;
}
async function scan(dir: string, options?: ScanOptions) {
  return scanWorkspace([{ name: 'ws', source: new NodeFileSource(dir) }], options);
}
const paths = (c: ContextMap) => c.files.map((f) => f.path);
const skippedAs = (c: ContextMap, reason: string) => c.skipped.filter((s) => s.reason === reason).map((s) => s.path);

describe('workspace map: scan', () => {
  after(() => made.forEach(removeTree));

  describe('ignore rules', () => {
    let dir: string;
    before(() => {
      dir = tree({
        '.gitignore': '*.log\n!keep.log\n/anchored.txt\ngenerated/\n',
        'a.ts': 'x',
        'debug.log': 'x',
        'keep.log': 'x',
        'anchored.txt': 'x',
        'only-here.txt': 'x',
        'generated/out.ts': 'x',
        'sub/anchored.txt': 'x',
        'sub/.gitignore': 'local.txt\n!important.log\n/only-here.txt\n',
        'sub/local.txt': 'x',
        'sub/important.log': 'x',
        'sub/other.log': 'x',
        'sub/only-here.txt': 'x',
        'sub/deeper/only-here.txt': 'x',
        'sub/deeper/local.txt': 'x',
        '.git/info/exclude': 'info-excluded.txt\n',
        '.git/config': '[core]\n',
        'info-excluded.txt': 'x',
        'node_modules/pkg/index.js': 'x',
        'a/node_modules/pkg/index.js': 'x',
        'dist/app.js': 'x',
        'out/app.js': 'x',
        '.venv/lib.py': 'x',
        '__pycache__/m.pyc': 'x',
        '.next/x.js': 'x',
        'coverage/lcov.info': 'x',
        'scripts/build': '#!/bin/sh\n',
        'docs/guide.md': 'x',
        'src/api.generated.ts': 'x',
        'src/api.ts': 'x',
      });
    });

    it('applies root and nested .gitignore files, negations, anchoring, info/exclude and defaults', async () => {
      const ws = await scan(dir);
      assert.deepEqual(paths(ws.context), [
        '.gitignore',
        'a.ts',
        'docs/guide.md',
        'keep.log',
        'only-here.txt',
        'scripts/build',
        'src/api.generated.ts',
        'src/api.ts',
        'sub/.gitignore',
        'sub/anchored.txt',
        'sub/deeper/only-here.txt',
        'sub/important.log',
      ]);
    });

    it('builds the same map through the async FileSource calls as through the sync fast path', async () => {
      const node = new NodeFileSource(dir);
      const asyncOnly: FileSource = {
        readDir: (p) => node.readDir(p),
        lstat: (p) => node.lstat(p),
        realpath: (p) => node.realpath(p),
        readFile: (p, n) => node.readFile(p, n),
      };
      const viaAsync = await scanWorkspace([{ name: 'ws', source: asyncOnly }], { excludes: ['docs/'] });
      const viaSync = await scanWorkspace([{ name: 'ws', source: node }], { excludes: ['docs/'] });
      assert.deepEqual(viaAsync.context, viaSync.context);
      assert.ok(viaSync.context.files.length > 5);
    });

    it('excludes user globs in gitignore syntax', async () => {
      const ws = await scan(dir, { excludes: ['*.generated.ts', 'docs/'] });
      const p = paths(ws.context);
      assert.ok(!p.includes('src/api.generated.ts'));
      assert.ok(!p.includes('docs/guide.md'));
      assert.ok(p.includes('src/api.ts'));
    });

    it('agrees with git itself on which files are not ignored', async function () {
      try {
        execFileSync('git', ['--version']);
      } catch {
        return this.skip();
      }
      const repo = tree({
        '.gitignore': '*.tmp\n!keep.tmp\n/top-only\nlogs/**\n!logs/\n!logs/important.txt\n[Bb]in/\n',
        'keep.tmp': 'x',
        'drop.tmp': 'x',
        'top-only': 'x',
        'x/top-only': 'x',
        'logs/a.txt': 'x',
        'logs/important.txt': 'x',
        'Bin/x.c': 'x',
        'bin/y.c': 'x',
        'lib/.gitignore': '*.c\n!main.c\n',
        'lib/main.c': 'x',
        'lib/util.c': 'x',
        'lib/deep/z.c': 'x',
        'lib/deep/main.c': 'x',
        'README.md': 'x',
      });
      await assertSameAsGit(repo);
    });

    it('agrees with git on harder patterns: globstars, escapes, classes, nested negations, info/exclude', async function () {
      try {
        execFileSync('git', ['--version']);
      } catch {
        return this.skip();
      }
      const repo = tree({
        '.gitignore': [
          '# comment', '\\#literal', '**/tmp', 'a/**/b.txt', 'docs/*.md', '!docs/keep.md', 'trailing.txt   ',
          '*.[oa]', '!lib.a', '/root-only/', 'deep/**/cache/', 'space\\ name.txt', 'logs/*', '!logs/.keep',
        ].join('\n') + '\n',
        '#literal': 'x', 'tmp': 'x', 'x/tmp/y.txt': 'x', 'a/b.txt': 'x', 'a/q/r/b.txt': 'x', 'a/c.txt': 'x',
        'docs/a.md': 'x', 'docs/keep.md': 'x', 'docs/sub/a.md': 'x', 'trailing.txt': 'x',
        'm.o': 'x', 'lib.a': 'x', 'other.a': 'x', 'root-only/x': 'x', 'n/root-only/x': 'x',
        'deep/1/2/cache/z': 'x', 'deep/cache/z': 'x', 'deep/keep': 'x', 'space name.txt': 'x', 'logs/1.log': 'x', 'logs/.keep': '',
        'pkg/.gitignore': '!*.o\n/local\nsub/\n', 'pkg/n.o': 'x', 'pkg/local': 'x', 'pkg/x/local': 'x', 'pkg/sub/f': 'x', 'pkg/y/sub/f': 'x',
        'pkg/inner/.gitignore': '!local\n*.js\n', 'pkg/inner/local': 'x', 'pkg/inner/a.js': 'x', 'pkg/inner/a.ts': 'x',
        'Readme.MD': 'x',
      });
      execFileSync('git', ['init', '-q'], { cwd: repo });
      fs.writeFileSync(path.join(repo, '.git/info/exclude'), 'Readme.MD\n');
      await assertSameAsGit(repo);
    });

    async function assertSameAsGit(repo: string) {
      execFileSync('git', ['init', '-q'], { cwd: repo });
      const fromGit = execFileSync('git', ['ls-files', '--others', '--exclude-standard'], { cwd: repo, encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .sort();
      const ws = await scan(repo);
      assert.deepEqual(paths(ws.context), fromGit);
    }
  });

  it('lists binary and too-large files as skipped, with their size', async () => {
    const lateNul = Buffer.concat([Buffer.alloc(9000, 'a'), Buffer.from([0])]);
    const dir = tree({
      'img.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1]),
      'big.txt': 'x'.repeat(2000),
      'limit.txt': 'y'.repeat(1000),
      'late-nul.txt': lateNul,
      'small.ts': 'let a = 1;\n',
    });
    const ws = await scan(dir, { maxFileBytes: 1000 });
    assert.deepEqual(ws.context.skipped, [
      { path: 'big.txt', reason: 'too-large', size: 2000 },
      { path: 'img.png', reason: 'binary', size: 7 },
      { path: 'late-nul.txt', reason: 'too-large', size: 9001 },
    ]);
    assert.deepEqual(paths(ws.context), ['limit.txt', 'small.ts']);
    const big = await scan(dir);
    // The NUL sniff looks at the first 8 KiB only, as git and ripgrep do.
    assert.ok(paths(big.context).includes('late-nul.txt'));
  });

  it('lists secrets as skipped and leaves them out unless the user opts a pattern in', async () => {
    const secrets = [
      '.env', '.env.local', 'api/.env.production', 'certs/server.pem', 'certs/server.key', 'id_rsa', 'id_rsa.pub',
      'keys/id_ed25519', 'keys/id_ecdsa', 'cert.p12', 'cert.pfx', '.npmrc', '.netrc', '.pypirc', '.git-credentials',
      'credentials.json', 'credentials-prod.json', 'home/.aws/credentials', 'android/release.keystore', 'app.jks',
      '.ENV', 'home/.ssh/config', 'home/.kube/config', 'infra/terraform.tfstate', 'infra/prod.tfvars', 'gcp/service-account-prod.json',
    ];
    const spec: Record<string, string> = { 'ok.ts': 'x', '.env.example': 'A=', 'environment.ts': 'x' };
    for (const s of secrets) spec[s] = 'SECRET=1';
    const ws = await scan(tree(spec));
    assert.deepEqual(skippedAs(ws.context, 'secret'), [...secrets, '.env.example'].sort());
    assert.deepEqual(paths(ws.context), ['environment.ts', 'ok.ts']);
    const optedIn = await scan(tree(spec), { allowSecrets: ['.env.example'] });
    assert.deepEqual(paths(optedIn.context), ['.env.example', 'environment.ts', 'ok.ts']);
    assert.equal(await optedIn.readFile('.env.example'), 'A=');
    assert.ok(skippedAs(optedIn.context, 'secret').includes('.env'));
  });

  describe('symlinks', () => {
    let outside: string;
    let dir: string;
    before(() => {
      outside = tree({ 'secret.txt': 'outside', 'sub/x.txt': 'outside' });
      dir = tree({
        'src/a.ts': 'a\n',
        'src/nested/b.ts': 'b\n',
        'link-to-a.ts': { symlink: 'src/a.ts' },
        'src-link': { symlink: 'src' },
        'self': { symlink: '.' },
        'loop1': { symlink: 'loop2' },
        'loop2': { symlink: 'loop1' },
        'out-file': { symlink: path.join(outside, 'secret.txt') },
        'out-dir': { symlink: path.join(outside, 'sub') },
        'broken': { symlink: 'does-not-exist' },
        'dev-null': { symlink: '/dev/null' },
        'to-env': { symlink: '.env' },
        '.env': 'TOKEN=1',
      });
    });

    it('never follows a link: inside targets are listed once, under their real path', async () => {
      const ws = await scan(dir);
      assert.deepEqual(paths(ws.context), ['src/a.ts', 'src/nested/b.ts']);
      assert.deepEqual(skippedAs(ws.context, 'symlink-outside'), ['broken', 'dev-null', 'loop1', 'loop2', 'out-dir', 'out-file']);
    });

    it('refuses to read through a link, naming the target when it is readable', async () => {
      const ws = await scan(dir);
      await rejectsWith(ws.readFile('link-to-a.ts'), 'file-symlink', /read src\/a\.ts instead/);
      await rejectsWith(ws.readFile('to-env'), 'file-symlink', /^refused: to-env is a symbolic link$/);
      await rejectsWith(ws.readFile('src-link/a.ts'), 'file-not-found', /not found/);
      await rejectsWith(ws.readFile('out-file'), 'path-outside', /outside the workspace/, [outside, dir]);
      await rejectsWith(ws.readFile('out-dir/x.txt'), 'file-not-found', /not found/, [outside, dir]);
    });
  });

  it('builds the same map with reader threads, inline, and through the async FileSource calls (a big tree)', async () => {
    const spec: Record<string, Parameters<typeof makeTree>[0][string]> = {
      'pipe': { fifo: true },
      'bin/x.bin': Buffer.from([1, 2, 0, 3]),
      'big/huge.txt': 'y'.repeat(5000),
      '.env': 'K=V',
      'link.ts': { symlink: 'd0/f0.ts' },
      'ünï/ök.md': 'ü\n',
    };
    for (let i = 0; i < 700; i++) spec[`d${i % 7}/f${i}.ts`] = 'line\n'.repeat(i % 5) + (i % 3 ? 'tail' : '');
    const dir = tree(spec);
    const node = new NodeFileSource(dir);
    const asyncOnly: FileSource = {
      readDir: (p) => node.readDir(p),
      lstat: (p) => node.lstat(p),
      realpath: (p) => node.realpath(p),
      readFile: (p, n) => node.readFile(p, n),
    };
    const threaded = await scanWorkspace([{ name: 'ws', source: node }], { maxFileBytes: 4096, scanThreads: 2 });
    const inline = await scanWorkspace([{ name: 'ws', source: node }], { maxFileBytes: 4096, scanThreads: 0 });
    const viaAsync = await scanWorkspace([{ name: 'ws', source: asyncOnly }], { maxFileBytes: 4096 });
    assert.deepEqual(threaded.context, viaAsync.context);
    assert.deepEqual(inline.context, viaAsync.context);
    assert.equal(threaded.context.files.length, 701);
    assert.deepEqual(threaded.context.skipped.map((x) => [x.path, x.reason, x.size]), [
      ['.env', 'secret', undefined],
      ['big/huge.txt', 'too-large', 5000],
      ['bin/x.bin', 'binary', 4],
      ['pipe', 'special', undefined],
    ]);
  });

  it('lists a FIFO as special without blocking on it', async () => {
    const dir = tree({ 'pipe': { fifo: true }, 'a.txt': 'a' });
    const ws = await scan(dir);
    assert.deepEqual(ws.context.skipped, [{ path: 'pipe', reason: 'special' }]);
    await rejectsWith(ws.readFile('pipe'), 'file-special', /not a regular file/);
  });

  it('handles unicode names', async () => {
    const dir = tree({ 'héllo/wörld.ts': 'ü\n', '日本語.md': '# 見出し\n', 'emoji-😀.txt': 'ok' });
    const ws = await scan(dir);
    assert.deepEqual(paths(ws.context), ['emoji-😀.txt', 'héllo/wörld.ts', '日本語.md']);
    assert.equal(await ws.readFile('héllo/wörld.ts'), 'ü\n');
    assert.equal(ws.context.tree.dirs[0].name, 'héllo');
  });

  it('maps an empty folder to an empty, well-formed map', async () => {
    const ws = await scan(tree({}));
    assert.deepEqual(ws.context.files, []);
    assert.deepEqual(ws.context.totals, { files: 0, bytes: 0, lines: 0, skipped: 0 });
    assert.deepEqual(ws.context.tree, { name: 'ws', path: '', files: 0, bytes: 0, lines: 0, dirs: [], fileNames: [] });
    await rejectsWith(ws.readFile('a.ts'), 'file-not-found', /not found: a\.ts/);
  });

  it('lists a file it cannot read as unreadable', async function () {
    if (process.getuid?.() === 0) return this.skip(); // root reads mode-000 files anyway
    const dir = tree({ 'locked.txt': 'x', 'ok.txt': 'y' });
    fs.chmodSync(path.join(dir, 'locked.txt'), 0);
    const ws = await scan(dir);
    assert.deepEqual(ws.context.skipped, [{ path: 'locked.txt', reason: 'unreadable' }]);
  });

  it('lists files and folders its FileSource cannot read as unreadable, and carries on', async () => {
    const dir = tree({ 'locked.txt': 'x', 'ok.txt': 'y', 'closed/inner.txt': 'z', 'open/a.txt': 'a' });
    const node = new NodeFileSource(dir);
    // A FileSource that fails like a permission error would (root reads mode-000 files anyway).
    const denying: FileSource = {
      readDir: (p) => (p === 'closed' ? Promise.reject(new Error('EACCES')) : node.readDir(p)),
      lstat: (p) => node.lstat(p),
      realpath: (p) => node.realpath(p),
      readFile: (p, n) => (p === 'locked.txt' ? Promise.reject(new Error('EACCES')) : node.readFile(p, n)),
    };
    const ws = await scanWorkspace([{ name: 'ws', source: denying }]);
    assert.deepEqual(ws.context.skipped, [
      { path: 'closed', reason: 'unreadable' },
      { path: 'locked.txt', reason: 'unreadable' },
    ]);
    assert.deepEqual(paths(ws.context), ['ok.txt', 'open/a.txt']);
    await rejectsWith(ws.readFile('locked.txt'), 'file-unreadable', /^cannot read locked\.txt$/);
  });

  it('takes odd but legal file names', async () => {
    const dir = tree({ '...': 'dots', '..a': 'x', 'back\\slash.txt': 'b', ' lead.txt': 'l', '#hash': 'h', '!bang': 'b' });
    const ws = await scan(dir);
    assert.deepEqual(paths(ws.context), [' lead.txt', '!bang', '#hash', '...', '..a', 'back\\slash.txt']);
    assert.equal(await ws.readFile('...'), 'dots');
  });

  it('reports a file deleted after the scan clearly', async () => {
    const dir = tree({ 'gone.txt': 'x' });
    const ws = await scan(dir);
    fs.rmSync(path.join(dir, 'gone.txt'));
    await rejectsWith(ws.readFile('gone.txt'), 'file-not-found', /not found: gone\.txt \(deleted since the scan\)/);
  });

  it('counts lines, bytes and languages, and builds a tree with subtree totals', async () => {
    const dir = tree({
      'a.ts': 'one\ntwo\n',
      'b.py': 'x\ny\nz',
      'src/c.ts': '\n',
      'src/deep/d.json': '',
      'src/deep/Makefile': 'all:\n',
    });
    const ws = await scan(dir);
    const c = ws.context;
    assert.deepEqual(
      c.files.map((f) => [f.path, f.size, f.lines, f.language]),
      [
        ['a.ts', 8, 2, 'typescript'],
        ['b.py', 5, 3, 'python'],
        ['src/c.ts', 1, 1, 'typescript'],
        ['src/deep/Makefile', 5, 1, 'makefile'],
        ['src/deep/d.json', 0, 0, 'json'],
      ],
    );
    assert.deepEqual(c.totals, { files: 5, bytes: 19, lines: 7, skipped: 0 });
    assert.deepEqual(c.languages.typescript, { files: 2, lines: 3, bytes: 9 });
    assert.deepEqual(Object.keys(c.languages), ['typescript', 'json', 'makefile', 'python']);
    const src = c.tree.dirs.find((d) => d.name === 'src')!;
    assert.deepEqual([src.path, src.files, src.bytes, src.lines, src.fileNames], ['src', 3, 6, 2, ['c.ts']]);
    assert.deepEqual(src.dirs[0].fileNames, ['Makefile', 'd.json']);
    assert.deepEqual([c.tree.files, c.tree.fileNames], [5, ['a.ts', 'b.py']]);
  });

  it('counts lines like wc -l plus an unterminated last line', () => {
    const n = (s: string) => countLines(Buffer.from(s));
    assert.deepEqual([n(''), n('\n'), n('a'), n('a\n'), n('a\nb'), n('a\r\nb\r\n'), n('\n\n\n')], [0, 1, 1, 1, 2, 2, 3]);
  });

  it('makes context a deeply frozen plain object holding metadata only', async () => {
    const ws = await scan(tree({ 'a/b/c.ts': 'const secret = 42;\n', 'x.bin': Buffer.from([0]) }));
    const seen: unknown[] = [];
    const walk = (v: unknown) => {
      if (v === null || typeof v !== 'object') return;
      assert.ok(Object.isFrozen(v), 'every object and array is frozen');
      const proto = Object.getPrototypeOf(v);
      assert.ok(proto === Object.prototype || proto === Array.prototype, 'plain objects and arrays only');
      seen.push(v);
      for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k]);
    };
    walk(ws.context);
    assert.ok(seen.length > 8);
    assert.ok(!JSON.stringify(ws.context).includes('secret = 42'), 'no file contents in the map');
    assert.throws(() => {
      (ws.context.files as unknown as unknown[]).push({});
    });
    assert.throws(() => {
      (ws.context.tree.dirs[0] as DirNode).files = 99;
    });
  });

  it('prefixes paths with the root name in a multi-root workspace', async () => {
    const front = tree({ 'src/app.ts': 'front\n', '.gitignore': 'ignored.ts\n', 'ignored.ts': 'x' });
    const back = tree({ 'src/app.ts': 'back\n', 'ignored.ts': 'kept in back' });
    const ws = await scanWorkspace([
      { name: 'front', source: new NodeFileSource(front) },
      { name: 'back', source: new NodeFileSource(back) },
    ]);
    assert.deepEqual(paths(ws.context), ['back/ignored.ts', 'back/src/app.ts', 'front/.gitignore', 'front/src/app.ts']);
    assert.deepEqual(ws.context.roots, ['front', 'back']);
    assert.deepEqual(ws.context.tree.dirs.map((d) => [d.name, d.files]), [['back', 2], ['front', 2]]);
    assert.equal(await ws.readFile('back/src/app.ts'), 'back\n');
    await rejectsWith(ws.readFile('front/ignored.ts'), 'file-ignored', /ignored/);
    await rejectsWith(ws.readFile('src/app.ts'), 'file-not-found', /not found/);
    const dup = await scanWorkspace([
      { name: 'app', source: new NodeFileSource(front) },
      { name: 'app', source: new NodeFileSource(back) },
    ]);
    assert.deepEqual(dup.context.roots, ['app', 'app-2']);
  });

  describe('scope', () => {
    let dir: string;
    before(() => {
      dir = tree({ '.gitignore': '*.log\n', 'top.ts': 'x', 'src/a.ts': 'a', 'src/b.log': 'x', 'src/sub/c.ts': 'c', 'lib/d.ts': 'd' });
    });

    it('limits the map to a folder, keeping workspace-relative paths and outer .gitignore rules', async () => {
      const ws = await scan(dir, { scope: 'src/' });
      assert.deepEqual(paths(ws.context), ['src/a.ts', 'src/sub/c.ts']);
      assert.equal(ws.context.scope, 'src');
      assert.equal(await ws.readFile('src/sub/c.ts'), 'c');
      await rejectsWith(ws.readFile('lib/d.ts'), 'path-outside', /outside the folder this question is limited to \(src\)/);
      await rejectsWith(ws.readFile('top.ts'), 'path-outside', /outside the folder/);
    });

    it('treats an empty scope or "." as the whole workspace', async () => {
      for (const scope of ['', '.', './', '/']) {
        const ws = await scan(dir, { scope });
        assert.equal(ws.context.scope, undefined, scope);
        assert.equal(ws.context.files.length, 5, scope);
      }
    });

    it('refuses a scope that is not a folder inside the workspace', async () => {
      await rejectsWith(scan(dir, { scope: '../' }), 'path-outside', /outside the workspace/);
      await rejectsWith(scan(dir, { scope: 'nope' }), 'scope-invalid', /not a folder/);
      await rejectsWith(scan(dir, { scope: 'top.ts' }), 'scope-invalid', /not a folder/);
      const linked = tree({ 'real/a.ts': 'a', 'alias': { symlink: 'real' } });
      await rejectsWith(scan(linked, { scope: 'alias' }), 'scope-invalid', /not a folder/);
    });
  });

  it('stops a scan cancelled while it runs', async () => {
    const dir = tmpDir();
    made.push(dir);
    for (let d = 0; d < 30; d++) {
      fs.mkdirSync(path.join(dir, `d${d}`));
      for (let i = 0; i < 20; i++) fs.writeFileSync(path.join(dir, `d${d}`, `f${i}.txt`), 'x\n');
    }
    const ac = new AbortController();
    let dirsRead = 0;
    // A real NodeFileSource that cancels the scan after the third folder it lists.
    class CancellingSource extends NodeFileSource {
      override readDirSync(rel: string) {
        if (++dirsRead === 3) ac.abort();
        return super.readDirSync(rel);
      }
    }
    await rejectsWith(scanWorkspace([{ name: 'ws', source: new CancellingSource(dir) }], { signal: ac.signal }), 'cancelled', /cancelled/);
    assert.equal(dirsRead, 3, 'no folder is listed after the cancel');
  });

  it('switches to async calls when one synchronous call shows slow storage', async () => {
    const spec: Record<string, string> = { '.gitignore': '*.log\n', 'x.log': 'x' };
    for (let i = 0; i < 40; i++) spec[`d${i % 4}/s${i % 3}/f${i}.ts`] = 'a\n'.repeat(i);
    const dir = tree(spec);
    let asyncCalls = 0;
    // A real NodeFileSource whose first synchronous listing stalls like a network mount.
    class StallingSource extends NodeFileSource {
      private stalled = false;
      override readDirSync(rel: string) {
        if (!this.stalled) {
          this.stalled = true;
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 80);
        }
        return super.readDirSync(rel);
      }
      override readDir(rel: string) {
        asyncCalls++;
        return super.readDir(rel);
      }
    }
    const stalled = await scanWorkspace([{ name: 'ws', source: new StallingSource(dir) }], { scanThreads: 0 });
    const normal = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(dir) }], { scanThreads: 0 });
    assert.deepEqual(stalled.context, normal.context);
    assert.ok(asyncCalls >= 4, `the rest of the walk went async (${asyncCalls} async listings)`);
    assert.equal(stalled.context.files.length, 41);
  });

  it('can be cancelled', async () => {
    const dir = tmpDir();
    made.push(dir);
    for (let i = 0; i < 200; i++) fs.writeFileSync(path.join(dir, `f${i}.txt`), 'x');
    const ac = new AbortController();
    ac.abort();
    await rejectsWith(scan(dir, { signal: ac.signal }), 'cancelled', /cancelled/);
  });
});
