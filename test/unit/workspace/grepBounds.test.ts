import { strict as assert } from 'node:assert';
import { NodeFileSource, scanWorkspace } from '../../../src/core/workspace';
import { findRipgrep } from '../../../src/core/workspace/grepRipgrep';
import { jsEngine, makeTree, removeTree } from './fixture';

const hasRg = findRipgrep() !== undefined;

// ripgrep's output is read on the host: what the host keeps of it must be bounded by the hits it
// returns (maxResults, contextLines), never by the size of the files that match.
(hasRg ? describe : describe.skip)('workspace map: grep with ripgrep keeps only what it returns', () => {
  let dir: string;
  before(() => {
    const near = Array.from({ length: 40 }, (_, i) => ([3, 5, 6, 12, 30, 38].includes(i) ? `hit ${i}` : `line ${i}`)).join('\n') + '\n';
    dir = makeTree({ 'big.txt': 'a\n'.repeat(524_000), 'near.txt': near });
  });
  after(() => removeTree(dir));

  it('answers maxResults 1 on a 1 MB file of matching lines without holding its lines', async () => {
    const ws = await scanWorkspace([{ name: 'w', source: new NodeFileSource(dir) }]);
    global.gc?.();
    const base = process.memoryUsage().heapUsed;
    let peak = base;
    const iv = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 1);
    try {
      const r = await ws.grep('^a$', { contextLines: 10, maxResults: 1, glob: 'big.txt' });
      peak = Math.max(peak, process.memoryUsage().heapUsed);
      assert.deepEqual(r.hits, [{ path: 'big.txt', line: 1, text: 'a', before: [], after: Array(10).fill('a') }]);
      assert.equal(r.truncated, true);
    } finally {
      clearInterval(iv);
    }
    // Holding every line (as JSON, strings and a Map) took over 300 MB; a window takes almost nothing.
    assert.ok(peak - base < 100e6, `heap grew by ${Math.round((peak - base) / 1e6)} MB`);
  });

  it('gives the same overlapping context windows as the JS engine', async function () {
    // Ten greps, some cut (counted, then read): slow on a busy machine.
    this.timeout(180_000);
    const rg = await scanWorkspace([{ name: 'w', source: new NodeFileSource(dir) }]);
    const js = await scanWorkspace([{ name: 'w', source: new NodeFileSource(dir) }], jsEngine());
    for (const [contextLines, maxResults] of [[0, 100], [2, 100], [3, 3], [10, 4], [1, 1]]) {
      const opts = { contextLines, maxResults, glob: 'near.txt' };
      const a = await rg.grep('^hit', opts);
      assert.deepEqual(a, await js.grep('^hit', opts), JSON.stringify(opts));
      assert.equal(a.hits.length, Math.min(6, maxResults));
    }
  });
});
