import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ContentCache } from '../../../src/core/workspace/contentCache';
import { compileGlob } from '../../../src/core/workspace/globMatch';
import { languageOf } from '../../../src/core/workspace/languages';
import { decodeRead, ScanReaders } from '../../../src/core/workspace/scanReaders';
import { SecretRules } from '../../../src/core/workspace/secrets';
import { Semaphore } from '../../../src/core/semaphore';
import { makeTree, removeTree } from './fixture';

describe('workspace map: parts', () => {
  describe('glob matching', () => {
    const cases: Array<[string, string, boolean]> = [
      ['*.ts', 'a.ts', true],
      ['*.ts', 'src/deep/a.ts', true],
      ['*.ts', 'a.tsx', false],
      ['src/*.ts', 'src/a.ts', true],
      ['src/*.ts', 'src/deep/a.ts', false],
      ['src/**/*.ts', 'src/a.ts', true],
      ['src/**/*.ts', 'src/x/y/a.ts', true],
      ['**/*.md', 'README.md', true],
      ['**/*.md', 'docs/a/b.md', true],
      ['src/**', 'src/a/b/c', true],
      ['src/**', 'lib/a', false],
      ['/src/*.ts', 'src/a.ts', true],
      ['?.js', 'a.js', true],
      ['?.js', 'ab.js', false],
      ['[abc].js', 'b.js', true],
      ['[!abc].js', 'b.js', false],
      ['[a-c]x', 'cx', true],
      ['*.{ts,js}', 'a.js', true],
      ['*.{ts,js}', 'a.py', false],
      ['{src,lib}/**/*.ts', 'lib/q/z.ts', true],
      ['\\*.ts', '*.ts', true],
      ['\\*.ts', 'a.ts', false],
      ['*', '.hidden', true],
      ['*a*a*a*a*a*a*a*a*a*a*b', 'dir/' + 'a'.repeat(300), false],
    ];
    for (const [glob, path, want] of cases) {
      it(`${glob} ${want ? 'matches' : 'does not match'} ${path.length > 40 ? path.slice(0, 40) + '…' : path}`, () => {
        assert.equal(compileGlob(glob)(path), want);
      });
    }
    it('refuses brace bombs', () => {
      assert.throws(() => compileGlob('{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}'), /too many/);
    });
  });

  describe('content cache', () => {
    it('evicts the least recently used texts past its byte budget', () => {
      const c = new ContentCache(10);
      c.set('a', 'aaaa', 4);
      c.set('b', 'bbbb', 4);
      assert.equal(c.get('a'), 'aaaa'); // a is now the most recent
      c.set('c', 'cccc', 4);
      assert.equal(c.get('b'), undefined);
      assert.equal(c.get('a'), 'aaaa');
      assert.equal(c.get('c'), 'cccc');
      assert.equal(c.bytes, 8);
      c.set('huge', 'x'.repeat(11), 11);
      assert.equal(c.get('huge'), undefined, 'an entry over the whole budget is not kept');
      c.set('a', 'AA', 2);
      assert.equal(c.bytes, 6);
    });
  });

  describe('semaphore', () => {
    it('runs at most `limit` tasks at once, in order, and drops a waiting task whose signal aborts', async () => {
      const gate = new Semaphore(2, () => new Error('cancelled while waiting'));
      let running = 0;
      let peak = 0;
      const order: number[] = [];
      const releases: Array<() => void> = [];
      const task = (n: number) => async () => {
        running++;
        peak = Math.max(peak, running);
        order.push(n);
        await new Promise<void>((r) => releases.push(r));
        running--;
        return n;
      };
      const ac = new AbortController();
      const runs = [gate.run(task(1)), gate.run(task(2)), gate.run(task(3), ac.signal), gate.run(task(4))];
      ac.abort();
      await assert.rejects(runs[2], /cancelled while waiting/);
      while (order.length < 3) {
        await new Promise((r) => setImmediate(r));
        releases.shift()?.();
      }
      releases.forEach((r) => r());
      assert.deepEqual(await Promise.all([runs[0], runs[1], runs[3]]), [1, 2, 4]);
      assert.deepEqual(order, [1, 2, 4]);
      assert.equal(peak, 2);
    });
  });

  describe('secret rules', () => {
    it('matches case-insensitively and lets only opted-in patterns through, never .git internals', () => {
      const s = new SecretRules(['.env.example', '.git/config']);
      assert.equal(s.isSecret('.ENV'), true);
      assert.equal(s.isSecret('a/b/.env.example'), false);
      assert.equal(s.isSecret('.git/config'), true);
      assert.equal(s.isSecret('src/environment.ts'), false);
      assert.equal(s.isSecret('deploy/key.pem'), true);
    });
  });

  it('names languages by file name and extension', () => {
    assert.deepEqual(
      ['a.ts', 'B.PY', 'Makefile', 'Dockerfile.dev', 'x.unknown', 'noext', 'constructor', '__proto__', 'x.__proto__', '.ts'].map(languageOf),
      ['typescript', 'python', 'makefile', 'dockerfile', 'plaintext', 'plaintext', 'plaintext', 'plaintext', 'plaintext', 'plaintext'],
    );
  });
});

describe('workspace map: scan reader threads', () => {
  it('read like readForScanSync: sizes, lines, binary, too large, special, missing', async () => {
    const dir = makeTree({
      'a.txt': 'one\ntwo',
      'b.bin': Buffer.from([0, 1]),
      'big.txt': 'x'.repeat(100),
      'pipe': { fifo: true },
      'sub/dir/c.txt': '\n\n',
      'link': { symlink: 'a.txt' },
    });
    const readers = new ScanReaders(1);
    try {
      const rels = ['a.txt', 'b.bin', 'big.txt', 'pipe', 'sub/dir/c.txt', 'missing', 'link', 'sub'];
      const out = await readers.read(dir, rels, 51);
      assert.deepEqual(rels.map((_, k) => decodeRead(out, k)), [
        { kind: 'text', size: 7, lines: 2 },
        { kind: 'binary', size: 2 },
        { kind: 'too-large', size: 100 },
        { kind: 'special' },
        { kind: 'text', size: 2, lines: 2 },
        { kind: 'unreadable' },
        { kind: 'special' },
        { kind: 'special' },
      ]);
    } finally {
      await readers.close();
      removeTree(dir);
    }
    await assert.rejects(readers.read(dir, ['a.txt'], 10), /closed/);
  });

  it('the bundled thread (dist/scanReaderThread.js, real code, no eval) reads the same', async function () {
    const bundled = path.join(__dirname, '../../../dist/scanReaderThread.js');
    if (!fs.existsSync(bundled)) return this.skip();
    const dir = makeTree({ 'a.txt': 'one\ntwo\n', 'b.bin': Buffer.from([0, 1]), 'link': { symlink: 'a.txt' } });
    const readers = new ScanReaders(1, bundled);
    try {
      const out = await readers.read(dir, ['a.txt', 'b.bin', 'link'], 51);
      assert.deepEqual([0, 1, 2].map((k) => decodeRead(out, k)), [
        { kind: 'text', size: 8, lines: 2 },
        { kind: 'binary', size: 2 },
        { kind: 'special' },
      ]);
    } finally {
      await readers.close();
      removeTree(dir);
    }
  });

  it('a thread that cannot start fails its batch (the scan then reads inline)', async () => {
    const readers = new ScanReaders(1, '/nonexistent/scanReaderThread.js');
    try {
      await assert.rejects(readers.read('/tmp', ['a.txt'], 10), /stopped|no reader thread/);
    } finally {
      await readers.close();
    }
  });
});
