/** Reference checks for finished and reopened runs: same answers as the scanned workspace,
 *  without keeping the workspace alive. */
import { strict as assert } from 'node:assert';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { NodeFileSource } from '../../../src/core/workspace/nodeFileSource';
import { scanWorkspace } from '../../../src/core/workspace/workspace';
import { PathSet } from '../../../src/vscode/panel/fileSets';
import { fixtureDir, PROBES } from './fixture';


describe('PathSet (a finished run\'s reference check)', () => {
  const root = fixtureDir();
  let dir: string;
  beforeEach(() => {
    dir = root();
  });

  it('PathSet answers like the workspace and does not keep it (or its content cache) alive', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const build = async () => {
      const ws = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(dir) }], { excludes: ['sub/ok.ts'] });
      await ws.readFile('src/a.ts');
      const set = new PathSet(ws.context.files.map((f) => f.path));
      for (const p of PROBES) assert.equal(set.hasFile(p), ws.hasFile(p), p);
      assert.equal(set.hasFile('src/a.ts'), true);
      assert.equal(set.hasFile('.env'), false);
      return { set, ref: new WeakRef(ws) };
    };
    const { set, ref } = await build();
    for (let i = 0; i < 20 && ref.deref() !== undefined; i++) {
      await new Promise((r) => setImmediate(r));
      gc();
    }
    assert.equal(ref.deref(), undefined, 'the workspace was collected while the path set lives');
    assert.equal(set.hasFile('src/deep/b.ts'), true);
  });
});
