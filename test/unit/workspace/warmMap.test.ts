import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NodeFileSource, type WorkspaceRoot } from '../../../src/core/workspace';
import { scanRoots } from '../../../src/core/workspace/scan';
import { WarmMap, type WarmOptions, type WarmScope } from '../../../src/core/workspace/warmMap';
import { makeTree, removeTree } from './fixture';

const made: string[] = [];
function tree(spec: Parameters<typeof makeTree>[0]): string {
  const dir = makeTree(spec);
  made.push(dir);
  return dir;
}
const rootsOf = (...dirs: string[]): WorkspaceRoot[] => dirs.map((d, i) => ({ name: `r${i}`, source: new NodeFileSource(d) }));
const cold = async (roots: WorkspaceRoot[], options: WarmOptions & { scope?: string } = {}) => (await scanRoots(roots, options)).context;
/** The map as a run would get it (the lease is released at once: these tests hold no run). */
async function current(warm: WarmMap, scope?: WarmScope) {
  const { workspace, release } = await warm.lease(scope);
  release();
  return workspace;
}
const write = (dir: string, rel: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
};

describe('workspace map: WarmMap', () => {
  after(() => made.forEach(removeTree));

  it('applies created, changed and deleted files, new and deleted folders, as a fresh scan would map them', async () => {
    const dir = tree({ 'a.ts': 'one\n', 'src/b.ts': 'b\nb\n', 'src/old/c.ts': 'c\n', 'gone.md': '# x\n', 'bin.dat': Buffer.from([0, 1, 2]) });
    const roots = rootsOf(dir);
    const warm = await WarmMap.build(roots);
    write(dir, 'a.ts', 'one\ntwo\nthree\n');
    write(dir, 'src/new.py', 'print(1)\n');
    write(dir, 'fresh/deep/d.ts', 'd\n');
    write(dir, 'fresh/e.json', '{}\n');
    fs.rmSync(path.join(dir, 'gone.md'));
    fs.rmSync(path.join(dir, 'src/old'), { recursive: true });
    write(dir, 'bin.dat', 'now text\n');
    for (const rel of ['a.ts', 'src/new.py', 'fresh/deep/d.ts', 'fresh/e.json', 'fresh', 'gone.md', 'src/old', 'bin.dat']) warm.touch(0, rel);
    const ws = await current(warm);
    assert.deepEqual(ws.context, await cold(roots));
    assert.deepEqual(
      ws.context.files.map((f) => [f.path, f.lines]),
      [['a.ts', 3], ['bin.dat', 1], ['fresh/deep/d.ts', 1], ['fresh/e.json', 1], ['src/b.ts', 2], ['src/new.py', 1]],
    );
    assert.equal(await ws.readFile('fresh/deep/d.ts'), 'd\n');
    warm.dispose();
  });

  it('leaves out ignored and secret files, and files inside ignored folders, that appear later', async () => {
    const dir = tree({ '.gitignore': '*.log\n', 'a.ts': 'a\n', 'node_modules/x/index.js': 'x\n' });
    const roots = rootsOf(dir);
    const warm = await WarmMap.build(roots);
    const before = warm.updates;
    write(dir, 'debug.log', 'noise\n');
    write(dir, 'node_modules/x/more.js', 'y\n');
    write(dir, '.env', 'TOKEN=1\n');
    write(dir, 'b.ts', 'b\n');
    for (const rel of ['debug.log', 'node_modules/x/more.js', '.env', 'b.ts']) warm.touch(0, rel);
    const ws = await current(warm);
    assert.ok(warm.updates > before);
    assert.deepEqual(ws.context.files.map((f) => f.path), ['.gitignore', 'a.ts', 'b.ts']);
    assert.deepEqual(ws.context, await cold(roots));
    warm.dispose();
  });

  it('re-applies the ignore rules when a .gitignore or .git/info/exclude changes, and for new excludes', async () => {
    const dir = tree({ 'a.ts': 'a\n', 'b.log': 'b\n', 'sub/c.txt': 'c\n', '.git/info/exclude': '' });
    const roots = rootsOf(dir);
    const warm = await WarmMap.build(roots);
    assert.deepEqual((await current(warm)).context.files.map((f) => f.path), ['a.ts', 'b.log', 'sub/c.txt']);

    write(dir, 'sub/.gitignore', 'c.txt\n');
    warm.touch(0, 'sub/.gitignore');
    assert.deepEqual((await current(warm)).context.files.map((f) => f.path), ['a.ts', 'b.log', 'sub/.gitignore']);

    write(dir, '.git/info/exclude', '*.log\n');
    warm.touch(0, '.git/info/exclude');
    const ws = await current(warm);
    assert.deepEqual(ws.context.files.map((f) => f.path), ['a.ts', 'sub/.gitignore']);
    assert.deepEqual(ws.context, await cold(roots));

    warm.reconfigure({ excludes: ['a.ts'] });
    assert.deepEqual((await current(warm)).context.files.map((f) => f.path), ['sub/.gitignore']);
    warm.dispose();
  });

  it("gives each run a snapshot: a change applied while a run works does not alter that run's map", async () => {
    const dir = tree({ 'a.ts': 'old a\n', 'b.ts': 'b\n' });
    const warm = await WarmMap.build(rootsOf(dir));
    const { workspace: first, release } = await warm.lease();
    const seen = JSON.stringify(first.context);
    assert.equal(await first.readFile('a.ts'), 'old a\n');

    // Mid-run: a file is edited, one deleted, one created; the map applies them at once.
    write(dir, 'a.ts', 'new a\nmore\n');
    fs.rmSync(path.join(dir, 'b.ts'));
    write(dir, 'c.ts', 'c\n');
    for (const rel of ['a.ts', 'b.ts', 'c.ts']) warm.touch(0, rel);
    // Timed updates wait for the run to end...
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(warm.stale);
    // ...unless another run needs the map now: then it is updated on copies.
    const { workspace: other, release: releaseOther } = await warm.lease();
    releaseOther();
    assert.deepEqual(other.context.files.map((f) => f.path), ['a.ts', 'c.ts']);

    assert.equal(JSON.stringify(first.context), seen, 'the running map is unchanged');
    assert.ok(first.hasFile('b.ts') && !first.hasFile('c.ts'));
    release();
    // After the last run, a change is applied without anyone asking.
    write(dir, 'd.ts', 'd\n');
    warm.touch(0, 'd.ts');
    const updates = warm.updates;
    for (let i = 0; i < 200 && warm.updates === updates; i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(!warm.stale);
    const second = await current(warm);
    assert.deepEqual(second.context.files.map((f) => [f.path, f.lines]), [['a.ts', 2], ['c.ts', 1], ['d.ts', 1]]);
    // The shared content cache forgot the edited file.
    assert.equal(await second.readFile('a.ts'), 'new a\nmore\n');
    warm.dispose();
  });

  it('serves a folder scope and the roots of a multi-root workspace as a scoped scan would', async () => {
    const one = tree({ 'x.ts': 'x\n' });
    const two = tree({ 'src/a.ts': 'a\n', 'src/in/b.ts': 'b\n', 'doc.md': 'd\n', '.gitignore': 'src/in/skip.ts\n' });
    const roots = rootsOf(one, two);
    const warm = await WarmMap.build(roots);
    write(two, 'src/in/new.ts', 'n\n');
    write(two, 'src/in/skip.ts', 's\n');
    warm.touch(1, 'src/in/new.ts');
    warm.touch(1, 'src/in/skip.ts');
    assert.deepEqual((await current(warm)).context, await cold(roots));
    const scoped = await current(warm, { root: 1, folder: 'src' });
    assert.deepEqual(scoped.context, await cold([roots[1]], { scope: 'src' }));
    assert.equal(await scoped.readFile('src/in/new.ts'), 'n\n');
    // A folder the map never walked (ignored) is scanned on its own, as without a warm map.
    const ignored = await current(warm, { root: 0, folder: 'nowhere' }).catch((e: Error & { code: string }) => e.code);
    assert.equal(ignored, 'scope-invalid');
    warm.dispose();
  });
});
