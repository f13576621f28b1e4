/** Reference checks for runs reopened from history: the scan's rules, applied by name. */
import { strict as assert } from 'node:assert';
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
});
