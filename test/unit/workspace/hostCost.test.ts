import { strict as assert } from 'node:assert';
import { NodeFileSource, scanWorkspace, type ScanOptions } from '../../../src/core/workspace';
import { DEFAULT_MAX_GREP_BYTES } from '../../../src/core/workspace/grep';
import { findRipgrep } from '../../../src/core/workspace/grepRipgrep';
import { MAX_CONTEXT_LINE_CHARS, MAX_HIT_LINE_CHARS } from '../../../src/core/workspace/grepTypes';
import { LineIndex } from '../../../src/core/workspace/lineIndex';
import { jsEngine, makeTree, removeTree } from './fixture';

const JS: ScanOptions = jsEngine();
const ENGINES: Array<['ripgrep' | 'js', ScanOptions]> = findRipgrep() ? [['ripgrep', {}], ['js', JS]] : [['js', JS]];

// What one cell of model code can make the host do with a few calls must be bounded by what it
// asks for (a range, a reply), not by the size of the file.
describe('workspace map: host work bounded by the request', () => {
  let dir: string;
  before(() => {
    // 1,000,000 short lines (~7.9 MB is over the default 1 MiB cap: the scan gets a larger one).
    const lines = Array.from({ length: 1_000_000 }, (_, i) => `l${i}`).join('\n') + '\n';
    // 600 KB of long lines, every one a match.
    const long = Array.from({ length: 200 }, (_, i) => `${i} needle ` + 'x'.repeat(3000)).join('\n') + '\n';
    dir = makeTree({ 'million.txt': lines, 'long.txt': long });
  });
  after(() => removeTree(dir));

  it('serves 1,000 concurrent range reads of a 1,000,000-line file from one line index, never a split', async function () {
    this.timeout(60_000);
    const ws = await scanWorkspace([{ name: 'w', source: new NodeFileSource(dir) }], { maxFileBytes: 16 * 1024 * 1024 });
    const builds = LineIndex.builds;
    const split = String.prototype.split;
    let bigSplits = 0;
    String.prototype.split = function (this: string, ...args: Parameters<typeof split>) {
      if (this.length > 1_000_000) bigSplits++;
      return split.apply(this, args);
    } as typeof split;
    let out: string[];
    try {
      out = await Promise.all(Array.from({ length: 1000 }, (_, k) => ws.readFile('million.txt', { start: k * 997 + 1, end: k * 997 + 2 })));
    } finally {
      String.prototype.split = split;
    }
    assert.equal(LineIndex.builds - builds, 1, 'one index for the cached text');
    assert.equal(bigSplits, 0, 'no split of the whole text');
    out.forEach((t, k) => assert.equal(t, `l${k * 997}\nl${k * 997 + 1}`));
    assert.equal(await ws.readFile('million.txt', { start: 1_000_000 }), 'l999999');
    assert.equal(LineIndex.builds - builds, 1, 'still one');
  });

  for (const [engine, options] of ENGINES) {
    it(`caps a grep reply in bytes, says so, and cuts long lines (${engine})`, async function () {
      this.timeout(60_000);
      const ws = await scanWorkspace([{ name: 'w', source: new NodeFileSource(dir) }], options);
      const r = await ws.grep('needle', { maxResults: 1000, contextLines: 10, glob: 'long.txt' });
      const bytes = r.hits.reduce((n, h) => n + [h.text, ...h.before, ...h.after].reduce((m, l) => m + Buffer.byteLength(l), 0), 0);
      assert.ok(bytes <= DEFAULT_MAX_GREP_BYTES, `${bytes} bytes`);
      assert.ok(r.hits.length > 10 && r.hits.length < 200, `${r.hits.length} hits`);
      assert.equal(r.truncated, true);
      assert.match(r.note ?? '', new RegExp(`^${r.hits.length} of 200 matching lines shown .*the reply's ${DEFAULT_MAX_GREP_BYTES / 1024} KiB cap cut them: ask for fewer contextLines`));
      for (const h of r.hits) {
        assert.ok(h.text.length <= MAX_HIT_LINE_CHARS + 1);
        for (const l of [...h.before, ...h.after]) assert.ok(l.length <= MAX_CONTEXT_LINE_CHARS + 1);
      }
      assert.deepEqual(r.hits.slice(0, 3).map((h) => h.line), [1, 2, 3], 'the first hits, in order');
      // A smaller cap from the settings applies the same way; a reply under the cap has no note.
      const small = await scanWorkspace([{ name: 'w', source: new NodeFileSource(dir) }], { ...options, maxGrepBytes: 4096 });
      const s = await small.grep('needle', { glob: 'long.txt' });
      assert.ok(s.hits.length >= 1 && s.hits.length < 10 && /the reply's 4 KiB cap cut them/.test(s.note ?? ''));
      const one = await ws.grep('^7 needle', { glob: 'long.txt' });
      assert.deepEqual([one.hits.length, one.truncated, one.note], [1, false, undefined]);
    });
  }
});
