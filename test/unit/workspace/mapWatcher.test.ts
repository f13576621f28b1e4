import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NodeFileSource } from '../../../src/core/workspace';
import { MapWatcher, type WatchMode } from '../../../src/core/workspace/mapWatcher';
import { WarmMap } from '../../../src/core/workspace/warmMap';
import { makeTree, removeTree } from './fixture';

const made: string[] = [];

async function mapped(warm: WarmMap): Promise<Array<[string, number]>> {
  const { workspace, release } = await warm.lease();
  release();
  return workspace.context.files.map((f) => [f.path, f.lines]);
}

/** Polls (generously) until the map shows `want`: watchers report a moment after the change. */
async function until(watcher: MapWatcher, warm: WarmMap, want: Array<[string, number]>): Promise<void> {
  let got: Array<[string, number]> = [];
  for (let i = 0; i < 400; i++) {
    await watcher.refresh();
    got = await mapped(warm);
    if (JSON.stringify(got) === JSON.stringify(want)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(got, want);
}

describe('workspace map: MapWatcher', () => {
  after(() => made.forEach(removeTree));

  for (const mode of ['folders', 'recursive', 'restat'] as WatchMode[]) {
    it(`keeps the map current (${mode}): create, edit, delete, a new folder, an ignored file, a .gitignore`, async () => {
      const dir = makeTree({ '.gitignore': '*.log\n', 'a.ts': 'a\n', 'src/b.ts': 'b\n', 'src/c.ts': 'c\n' });
      made.push(dir);
      const warm = await WarmMap.build([{ name: 'ws', source: new NodeFileSource(dir) }]);
      const watcher = new MapWatcher(warm, mode);
      try {
        if (mode === 'restat') await watcher.refresh(); // its first look at the files
        fs.writeFileSync(path.join(dir, 'src/new.ts'), 'n\n');
        fs.writeFileSync(path.join(dir, 'a.ts'), 'a\nlonger\n');
        fs.rmSync(path.join(dir, 'src/c.ts'));
        fs.writeFileSync(path.join(dir, 'debug.log'), 'ignored\n');
        fs.mkdirSync(path.join(dir, 'lib/deep'), { recursive: true });
        fs.writeFileSync(path.join(dir, 'lib/deep/d.ts'), 'd\nd\nd\n');
        await until(watcher, warm, [['.gitignore', 1], ['a.ts', 2], ['lib/deep/d.ts', 3], ['src/b.ts', 1], ['src/new.ts', 1]]);
        // A file in the folder the map just learnt of, then a rule that hides a folder.
        fs.writeFileSync(path.join(dir, 'lib/deep/e.ts'), 'e\n');
        await until(watcher, warm, [['.gitignore', 1], ['a.ts', 2], ['lib/deep/d.ts', 3], ['lib/deep/e.ts', 1], ['src/b.ts', 1], ['src/new.ts', 1]]);
        fs.writeFileSync(path.join(dir, '.gitignore'), '*.log\nsrc/\n');
        await until(watcher, warm, [['.gitignore', 2], ['a.ts', 2], ['lib/deep/d.ts', 3], ['lib/deep/e.ts', 1]]);
      } finally {
        watcher.dispose();
        warm.dispose();
      }
    });
  }
});
