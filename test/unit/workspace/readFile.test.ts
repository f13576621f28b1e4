import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NodeFileSource, scanWorkspace, type Workspace } from '../../../src/core/workspace';
import { normalizeModelPath } from '../../../src/core/workspace/modelPath';
import { makeTree, rejectsWith, removeTree, tmpDir } from './fixture';

describe('workspace map: readFile', () => {
  let base: string;
  let dir: string;
  let ws: Workspace;

  beforeEach(async () => {
    base = tmpDir();
    // `ws-evil` shares the prefix of `ws`: a startsWith containment check would let it through.
    makeTree({ 'secret.txt': 'EVIL SIBLING', 'sub/x.txt': 'EVIL' }, path.join(base, 'ws-evil'));
    makeTree({ 'outside.txt': 'HOST FILE' }, base);
    dir = makeTree(
      {
        'src/a.ts': 'line1\nline2\nline3\nline4\n',
        'src/b.ts': 'no newline at end',
        'docs/readme.md': '# hi\n',
        '.env': 'TOKEN=abc',
        '.gitignore': 'secret-notes.txt\n',
        'secret-notes.txt': 'ignored',
        'node_modules/x/index.js': 'dep',
        'bin.dat': Buffer.from([1, 0, 2]),
        'evil': { symlink: '../ws-evil' },
        'evil-file': { symlink: '../ws-evil/secret.txt' },
        'zero': { symlink: '/dev/zero' },
        'pipe': { fifo: true },
      },
      path.join(base, 'ws'),
    );
    ws = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(dir) }]);
  });
  afterEach(() => removeTree(base));

  it('reads a listed file, whole or as a 1-based inclusive line range', async () => {
    assert.equal(await ws.readFile('src/a.ts'), 'line1\nline2\nline3\nline4\n');
    assert.equal(await ws.readFile('src/a.ts', { start: 2, end: 3 }), 'line2\nline3');
    assert.equal(await ws.readFile('src/a.ts', { start: 3 }), 'line3\nline4');
    assert.equal(await ws.readFile('src/a.ts', { end: 1 }), 'line1');
    assert.equal(await ws.readFile('src/a.ts', { start: 4, end: 400 }), 'line4', 'end is clamped');
    assert.equal(await ws.readFile('src/b.ts', { start: 1, end: 1 }), 'no newline at end');
    assert.equal(await ws.readFile('./src//a.ts', { start: 1, end: 1 }), 'line1', 'normalised');
    assert.equal(await ws.readFile('docs/../src/a.ts', { start: 1, end: 1 }), 'line1');
  });

  it('validates ranges with clear errors', async () => {
    await rejectsWith(ws.readFile('src/a.ts', { start: 0 }), 'range-invalid', /start must be a whole line number of at least 1/);
    await rejectsWith(ws.readFile('src/a.ts', { start: 1.5 }), 'range-invalid', /start/);
    await rejectsWith(ws.readFile('src/a.ts', { end: -1 }), 'range-invalid', /end/);
    await rejectsWith(ws.readFile('src/a.ts', { start: '2' as unknown as number }), 'range-invalid', /start/);
    await rejectsWith(ws.readFile('src/a.ts', { start: 3, end: 2 }), 'range-invalid', /start \(3\) is after its end \(2\)/);
    await rejectsWith(ws.readFile('src/a.ts', { start: 9 }), 'range-invalid', /past the end of src\/a\.ts \(4 lines\)/);
    await rejectsWith(ws.readFile('src/a.ts', 5 as never), 'range-invalid', /range must be an object/);
  });

  it('numbers rows with true line numbers: trailing newline, none, CRLF, empty file, ranges', async () => {
    const tree = makeTree({
      'nl.txt': 'a\nb\nc\n',
      'crlf.txt': 'one\r\ntwo\r\n\r\nfour\r\n',
      'none.txt': 'x\ny',
      'empty.txt': '',
      'blank.txt': '\n',
    });
    try {
      const w = await scanWorkspace([{ name: 't', source: new NodeFileSource(tree) }]);
      assert.equal(await w.readFile('nl.txt', { numbered: true }), '[nl.txt: lines 1-3 of 3]\n1: a\n2: b\n3: c', 'no phantom fourth row');
      assert.equal(await w.readFile('none.txt', { numbered: true }), '[none.txt: lines 1-2 of 2]\n1: x\n2: y');
      assert.equal(await w.readFile('crlf.txt', { numbered: true }), '[crlf.txt: lines 1-4 of 4]\n1: one\n2: two\n3: \n4: four');
      assert.equal(await w.readFile('blank.txt', { numbered: true }), '[blank.txt: lines 1-1 of 1]\n1: ');
      assert.equal(await w.readFile('empty.txt', { numbered: true }), '[empty.txt: empty file, 0 lines]');
      assert.equal(await w.readFile('nl.txt', { start: 2, numbered: true }), '[nl.txt: lines 2-3 of 3]\n2: b\n3: c\n[lines 2-3 of 3]');
      assert.equal(await w.readFile('nl.txt', { end: 1, numbered: true }), '[nl.txt: lines 1-1 of 3]\n1: a\n[lines 1-1 of 3; more from start: 2]');
      assert.equal(
        await w.readFile('crlf.txt', { start: 3, end: 40, numbered: true }),
        '[crlf.txt: lines 3-4 of 4 (asked up to 40; the file ends at 4)]\n3: \n4: four\n[lines 3-4 of 4]',
        'a clamped end is stated',
      );
      assert.equal(await w.readFile('nl.txt', { numbered: false }), 'a\nb\nc\n', 'numbered: false is the bare text');
      await rejectsWith(w.readFile('nl.txt', { start: 4, numbered: true }), 'range-invalid', /start \(4\) is past the end of nl\.txt \(3 lines\); ask for lines 1-3/);
      await rejectsWith(w.readFile('empty.txt', { start: 1, numbered: true }), 'range-invalid', /0 lines\); it is empty/);
      await rejectsWith(w.readFile('nl.txt', { start: 3, end: 2, numbered: true }), 'range-invalid', /after its end \(2\); give start <= end/);
      await rejectsWith(w.readFile('nl.txt', { numbered: 'yes' as never }), 'range-invalid', /numbered must be true or false/);
    } finally {
      removeTree(tree);
    }
  });

  it('names the reason for refusing a file of the workspace', async () => {
    await rejectsWith(ws.readFile('.env'), 'file-secret', /^refused: \.env is a secret file/);
    await rejectsWith(ws.readFile('secret-notes.txt'), 'file-ignored', /^refused: secret-notes\.txt is ignored/);
    await rejectsWith(ws.readFile('node_modules/x/index.js'), 'file-ignored', /ignored/);
    await rejectsWith(ws.readFile('bin.dat'), 'file-binary', /binary/);
    await rejectsWith(ws.readFile('.git/config'), 'file-secret', /secret/);
    await rejectsWith(ws.readFile('src/nope.ts'), 'file-not-found', /^not found: src\/nope\.ts$/);
    await rejectsWith(ws.readFile('src'), 'file-not-found', /src is a folder/);
    const small = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(dir) }], { maxFileBytes: 10 });
    await rejectsWith(small.readFile('src/a.ts'), 'file-too-large', /too large \(24 bytes; limit 10\)/);
  });

  const attacks: Array<[string, unknown, string, RegExp]> = [
    ['absolute path', '/etc/passwd', 'path-outside', /relative/],
    ['absolute path into the workspace', '/src/a.ts', 'path-outside', /relative/],
    ['home', '~/.ssh/id_rsa', 'path-outside', /relative/],
    ['home of another user', '~root/x', 'path-outside', /relative/],
    ['parent', '../outside.txt', 'path-outside', /outside the workspace/],
    ['parent after a folder', 'src/../../outside.txt', 'path-outside', /outside the workspace/],
    ['sibling with the same prefix', '../ws-evil/secret.txt', 'path-outside', /outside the workspace/],
    ['sibling through a symlinked folder', 'evil/secret.txt', 'file-not-found', /not found/],
    ['sibling through a symlinked file', 'evil-file', 'path-outside', /symbolic link that leads outside/],
    ['device through a symlink', 'zero', 'path-outside', /outside/],
    ['device path', 'dev/zero', 'file-not-found', /not found/],
    ['FIFO', 'pipe', 'file-special', /not a regular file/],
    ['NUL byte', 'src/a.ts\0.png', 'path-invalid', /control characters/],
    ['newline', 'src/a.ts\n', 'path-invalid', /control characters/],
    ['bidi override', 'src/\u202ea.ts', 'path-invalid', /control characters/],
    ['over-long', 'a/'.repeat(600) + 'x', 'path-invalid', /longer than 1024/],
    ['empty', '', 'path-invalid', /empty/],
    ['just dots', './.', 'path-invalid', /workspace itself/],
    ['Windows drive', 'C:\\Windows\\win.ini', 'path-invalid', /"\/" separators/],
    ['Windows drive with slashes', 'C:/Windows/win.ini', 'path-invalid', /":"/],
    ['backslash parent', '..\\outside.txt', 'path-invalid', /"\/" separators/],
    ['UNC', '\\\\server\\share', 'path-invalid', /separators/],
    ['URL', 'file:///etc/passwd', 'path-invalid', /":"/],
    ['not a string', 42, 'path-invalid', /must be a string/],
  ];
  for (const [name, input, code, message] of attacks) {
    it(`refuses ${name}`, async () => {
      await rejectsWith(ws.readFile(input as string), code, message, [base]);
      assert.equal(ws.hasFile(input as string), false);
    });
  }

  it('refuses a file swapped for a symlink to outside after the scan', async () => {
    assert.equal(ws.hasFile('src/b.ts'), true);
    fs.rmSync(path.join(dir, 'src/b.ts'));
    fs.symlinkSync(path.join(base, 'outside.txt'), path.join(dir, 'src/b.ts'));
    await rejectsWith(ws.readFile('src/b.ts'), 'path-outside', /src\/b\.ts is no longer a regular file inside the workspace/, [base]);
  });

  it('refuses a file swapped for a symlink to a secret inside after the scan', async () => {
    fs.rmSync(path.join(dir, 'src/b.ts'));
    fs.symlinkSync('../.env', path.join(dir, 'src/b.ts'));
    await rejectsWith(ws.readFile('src/b.ts'), 'path-outside', /no longer a regular file/);
  });

  it('refuses a folder swapped for a symlink to outside after the scan', async () => {
    fs.renameSync(path.join(dir, 'docs'), path.join(base, 'docs-moved'));
    fs.writeFileSync(path.join(base, 'ws-evil/readme.md'), 'EVIL');
    fs.symlinkSync(path.join(base, 'ws-evil'), path.join(dir, 'docs'));
    await rejectsWith(ws.readFile('docs/readme.md'), 'path-outside', /no longer a regular file/, [base]);
  });

  it('refuses a file swapped for a FIFO after the scan without blocking', async () => {
    fs.rmSync(path.join(dir, 'src/b.ts'));
    makeTree({ 'src/b.ts': { fifo: true } }, dir);
    await rejectsWith(ws.readFile('src/b.ts'), 'file-special', /not a regular file/);
  });

  it('serves a file from the cache after the first read', async () => {
    assert.equal(await ws.readFile('docs/readme.md'), '# hi\n');
    fs.writeFileSync(path.join(dir, 'docs/readme.md'), 'changed');
    assert.equal(await ws.readFile('docs/readme.md'), '# hi\n');
    const uncached = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(dir) }], { cacheBytes: 0 });
    fs.writeFileSync(path.join(dir, 'docs/readme.md'), 'again');
    assert.equal(await uncached.readFile('docs/readme.md'), 'again');
  });

  it('checks references with hasFile, with or without a line', () => {
    assert.equal(ws.hasFile('src/a.ts'), true);
    assert.equal(ws.hasFile('src/a.ts:3'), true);
    assert.equal(ws.hasFile('src/a.ts:3-4'), true);
    assert.equal(ws.hasFile('./src/a.ts'), true);
    assert.equal(ws.hasFile('src/a.ts:x'), false);
    assert.equal(ws.hasFile('.env'), false);
    assert.equal(ws.hasFile('bin.dat'), false);
    assert.equal(ws.hasFile('src'), false);
    assert.equal(ws.hasFile(undefined as unknown as string), false);
  });

  describe('NodeFileSource on its own', () => {
    it('keeps every path inside its root, by realpath and path.relative', async () => {
      const src = new NodeFileSource(dir);
      assert.equal(await src.realpath('evil/secret.txt'), undefined, 'ws-evil is not inside ws');
      assert.equal(await src.realpath('src/a.ts'), 'src/a.ts');
      await rejectsWith(src.readFile('evil/secret.txt', 100), 'path-outside', /outside/, [base]);
      await rejectsWith(src.readFile('../ws-evil/secret.txt', 100), 'path-outside', /outside/, [base]);
      await rejectsWith(src.readFile('zero', 100), 'file-special', /not a regular file/);
      await rejectsWith(src.readFile('pipe', 100), 'file-special', /not a regular file/);
      await rejectsWith(src.readFile('src', 100), 'file-special', /not a regular file/);
      assert.equal(Buffer.from(await src.readFile('src/a.ts', 5)).toString(), 'line1', 'size capped');
    });

    it('reads a mapped file synchronously only if it is still that very file', () => {
      const src = new NodeFileSource(dir);
      assert.equal(Buffer.from(src.readMappedFileSync('src/a.ts', 100)).toString(), 'line1\nline2\nline3\nline4\n');
      fs.symlinkSync('src', path.join(dir, 'src-alias'));
      assert.throws(() => src.readMappedFileSync('src-alias/a.ts', 100), /no longer a regular file inside the workspace/);
      assert.throws(() => src.readMappedFileSync('evil/secret.txt', 100), /no longer a regular file inside the workspace/);
      assert.throws(() => src.readMappedFileSync('evil-file', 100), /not a regular file/);
      assert.throws(() => src.readMappedFileSync('pipe', 100), /not a regular file/);
      assert.throws(() => src.readMappedFileSync('../ws-evil/secret.txt', 100), /outside the workspace/);
    });

    it('reports kinds with lstat semantics', async () => {
      const src = new NodeFileSource(dir);
      const kinds = Object.fromEntries((await src.readDir('')).map((e) => [e.name, e.kind]));
      assert.deepEqual([kinds.src, kinds['.env'], kinds.evil, kinds.pipe], ['directory', 'file', 'symlink', 'other']);
      assert.equal((await src.lstat('zero')).kind, 'symlink');
    });
  });

  it('normalises model paths', () => {
    assert.equal(normalizeModelPath('a/./b//c/../d.ts'), 'a/b/d.ts');
    assert.throws(() => normalizeModelPath('a/../../b'), /outside the workspace/);
  });
});
