/** Reference checks for runs reopened from history: the scan's rules, applied by name. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NodeFileSource } from '../../../src/core/workspace/nodeFileSource';
import { scanWorkspace } from '../../../src/core/workspace/workspace';
import { NameRules } from '../../../src/vscode/panel/nameRules';
import { FILES, fixtureDir } from './fixture';

describe('NameRules (a reopened run\'s reference check)', () => {
  const root = fixtureDir();
  let dir: string;
  beforeEach(() => {
    dir = root();
  });

  it('NameRules (no scan) refuses what the scan refuses: secrets, default and user excludes, .gitignore', async () => {
    for (const allowSecrets of [[], ['.env.example']]) {
      const ws = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(dir) }], { excludes: ['sub/ok.ts'], allowSecrets });
      const rules = new NameRules([{ name: 'ws', source: new NodeFileSource(dir), excludes: ['sub/ok.ts'] }], allowSecrets);
      for (const p of Object.keys(FILES)) assert.equal(await rules.hasFile(p), ws.hasFile(p), `${p} with allowSecrets ${JSON.stringify(allowSecrets)}`);
    }
    const rules = new NameRules([{ name: 'ws', source: new NodeFileSource(dir), excludes: [] }], []);
    assert.equal(await rules.hasFile('.env'), false);
    assert.equal(await rules.hasFile('sub/.env.local'), false);
    assert.equal(await rules.hasFile('keys/server.pem'), false);
    assert.equal(await rules.hasFile('ignored/g.ts'), false);
    assert.equal(await rules.hasFile('sub/x.log'), false);
    assert.equal(await rules.hasFile('node_modules/x/i.js'), false);
    assert.equal(await rules.hasFile('sub/ok.ts'), true);
    assert.equal(await rules.hasFile('src/a.ts'), true);
  });

  it('NameRules keeps a scoped run to its folder and resolves root-prefixed paths', async () => {
    const scoped = new NameRules([{ name: 'ws', source: new NodeFileSource(dir), excludes: [] }], [], 'src');
    assert.equal(await scoped.hasFile('src/deep/b.ts'), true);
    assert.equal(await scoped.hasFile('sub/ok.ts'), false);
    const multi = new NameRules(
      [
        { name: 'one', source: new NodeFileSource(dir), excludes: [] },
        { name: 'two', source: new NodeFileSource(dir), excludes: [] },
      ],
      [],
    );
    assert.equal(await multi.hasFile('two/src/a.ts'), true);
    assert.equal(await multi.hasFile('one/.env'), false);
    assert.equal(await multi.hasFile('three/src/a.ts'), false);
    assert.equal(await multi.hasFile('src/a.ts'), false);
  });

  it('checks by real path as a live run does: a link that leads outside (file or folder) is never verified', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-outside-'));
    const links = ['out.ts', 'src/out-dir', 'src/inside-alias.ts', 'dangling.ts'];
    try {
      fs.writeFileSync(path.join(outside, 'stolen.ts'), 'export const secret = 1;\n');
      fs.symlinkSync(path.join(outside, 'stolen.ts'), path.join(dir, 'out.ts'));
      fs.symlinkSync(outside, path.join(dir, 'src/out-dir'));
      fs.symlinkSync('a.ts', path.join(dir, 'src/inside-alias.ts'));
      fs.symlinkSync(path.join(outside, 'gone.ts'), path.join(dir, 'dangling.ts'));
      const probes = ['out.ts', 'src/out-dir/stolen.ts', 'src/inside-alias.ts', 'dangling.ts', 'src/a.ts', 'src/missing.ts'];
      const ws = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(dir) }]);
      const rules = new NameRules([{ name: 'ws', source: new NodeFileSource(dir), excludes: [] }], []);
      const live = probes.map((p) => ws.hasFile(p));
      const reopened = await Promise.all(probes.map((p) => rules.hasFile(p)));
      assert.deepEqual(reopened, live, 'a reopened run verifies exactly what the live run verified');
      assert.deepEqual(reopened, [false, false, false, false, true, false]);
      // Multi-root: the same through a root prefix.
      const multi = new NameRules(
        [
          { name: 'one', source: new NodeFileSource(dir), excludes: [] },
          { name: 'two', source: new NodeFileSource(outside), excludes: [] },
        ],
        [],
      );
      assert.equal(await multi.hasFile('one/out.ts'), false);
      assert.equal(await multi.hasFile('one/src/out-dir/stolen.ts'), false);
      assert.equal(await multi.hasFile('two/stolen.ts'), true, 'the outside folder is fine as a root of its own');
    } finally {
      for (const l of links) fs.rmSync(path.join(dir, l), { force: true });
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it('names roots as the scan does (same-named folders get -2), so root-prefixed paths resolve alike', async () => {
    const roots = [
      { name: 'app', source: new NodeFileSource(dir), excludes: [] },
      { name: 'app', source: new NodeFileSource(path.join(dir, 'src')), excludes: [] },
    ];
    const ws = await scanWorkspace(roots);
    const rules = new NameRules(roots, []);
    for (const p of ['app/src/a.ts', 'app-2/a.ts', 'app-2/deep/b.ts', 'app/a.ts']) assert.equal(await rules.hasFile(p), ws.hasFile(p), p);
    assert.equal(await rules.hasFile('app-2/a.ts'), true);
  });
});
