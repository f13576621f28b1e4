import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NodeFileSource, scanWorkspace } from '../../../src/core/workspace';
import { findRipgrep, rgExcludeGlobs } from '../../../src/core/workspace/grepRipgrep';
import { makeTree, removeTree, tmpDir } from './fixture';

const rg = findRipgrep();

describe('workspace map: grep with ripgrep skips what the map left out', () => {
  it('turns user excludes into ripgrep override globs, or none when a negation could re-include', () => {
    assert.deepEqual(rgExcludeGlobs(['logs/', '/top.log', 'a/*.tmp  ', '', '# note', 'x\\#y']), ['!logs/', '!/top.log', '!a/*.tmp']);
    assert.deepEqual(rgExcludeGlobs(['logs/*', '!logs/keep.txt']), []);
    assert.deepEqual(rgExcludeGlobs(undefined), []);
  });

  // A wrapper around the real ripgrep copies its JSON output aside: every file holds a match, so a
  // file ripgrep searched shows up there. An excluded 40 MB log must not be searched at all.
  (rg ? it : it.skip)('does not read excluded, too-large or unmapped oversized files', async () => {
    const dir = makeTree({ 'a.txt': 'hello\n', 'src/b.ts': 'hello again\n', 'big.txt': 'hello' + 'y'.repeat(2_000_000) + '\n' });
    const bin = tmpDir();
    try {
      fs.mkdirSync(path.join(dir, 'logs'));
      const fd = fs.openSync(path.join(dir, 'logs/huge.log'), 'w');
      const chunk = ('hello ' + 'x'.repeat(93) + '\n').repeat(10_000);
      for (let i = 0; i < 40; i++) fs.writeSync(fd, chunk);
      fs.closeSync(fd);
      const log = path.join(bin, 'out.jsonl');
      const wrapper = path.join(bin, 'rg');
      fs.writeFileSync(wrapper, `#!/bin/sh\n'${rg}' "$@" | /usr/bin/tee -a '${log}'\n`, { mode: 0o755 });

      const ws = await scanWorkspace([{ name: 'w', source: new NodeFileSource(dir) }], { excludes: ['logs/'], rgPath: wrapper });
      assert.equal(ws.context.totals.files, 2);
      // Grown since the scan past the size cap: not in the map, and not worth reading.
      fs.writeFileSync(path.join(dir, 'late.txt'), 'hello' + 'z'.repeat(3_000_000) + '\n');
      const r = await ws.grep('hello', {});
      assert.deepEqual(r.hits.map((h) => h.path), ['a.txt', 'src/b.ts']);

      const searched = fs
        .readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"type":"begin"'))
        .map((l) => (JSON.parse(l).data.path.text as string).replace(/^\.\//, ''))
        .sort();
      assert.deepEqual(searched, ['a.txt', 'src/b.ts']);
    } finally {
      removeTree(dir);
      removeTree(bin);
    }
  });
});
