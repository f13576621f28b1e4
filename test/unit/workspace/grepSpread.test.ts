import { strict as assert } from 'node:assert';
import { NodeFileSource, scanWorkspace, type ScanOptions, type Workspace } from '../../../src/core/workspace';
import { findRipgrep } from '../../../src/core/workspace/grepRipgrep';
import { spreadCut, spreadQuotas } from '../../../src/core/workspace/grepSpread';
import { makeTree, rejectsWith, removeTree } from './fixture';

const engines: Array<[string, ScanOptions]> = [['JS worker', { grepEngine: 'js' }]];
if (findRipgrep() !== undefined) engines.unshift(['ripgrep', {}]);

const GITHUB_TOKEN = 'ghp_' + 'a1B2c3D4e5'.repeat(3) + 'a1B2c3';

describe('grep for big repositories: spread, totals, modes, exclude', () => {
  describe('spreadQuotas', () => {
    it('shares the cap down the folder tree, a share one cannot use going to the others', () => {
      const counts = new Map<string, number>([
        ['__tests__/a.ts', 500],
        ['__tests__/b.ts', 500],
        ['e2e/c.ts', 600],
        ['src/core.ts', 1],
        ['src/util.ts', 3],
      ]);
      const q = spreadQuotas(counts, 100);
      assert.deepEqual(Object.fromEntries(q), { '__tests__/a.ts': 24, '__tests__/b.ts': 24, 'e2e/c.ts': 48, 'src/core.ts': 1, 'src/util.ts': 3 });
      assert.equal([...q.values()].reduce((a, b) => a + b, 0), 100);
      assert.deepEqual(Object.fromEntries(spreadQuotas(counts, 10_000)), Object.fromEntries(counts), 'room for all: every match');
    });

    it('cuts by bytes every file\'s first hit before any second one', () => {
      const hit = (path: string, line: number) => ({ path, line, text: 'x'.repeat(100), before: [], after: [] });
      const hits = [hit('a', 1), hit('a', 2), hit('a', 3), hit('b', 1), hit('c', 1)];
      const cut = spreadCut(hits, 10, 3 * 160);
      assert.deepEqual(cut.hits.map((h) => `${h.path}:${h.line}`), ['a:1', 'b:1', 'c:1']);
      assert.equal(cut.cutByBytes, true);
    });
  });

  // Test folders that sort before src and hold more than 1,000 matches: the one source match
  // must still be shown, and the totals must be true on both engines.
  let dir: string;
  before(() => {
    const spec: Record<string, string> = {};
    const body = Array.from({ length: 50 }, (_, i) => `handleRequest(${i});`).join('\n') + '\n';
    for (let i = 0; i < 15; i++) spec[`__tests__/t${String(i).padStart(2, '0')}/x.test.ts`] = body;
    for (let i = 0; i < 15; i++) spec[`e2e/s${String(i).padStart(2, '0')}.ts`] = body;
    spec['src/server/core.ts'] = 'export function main() {\n  return handleRequest(req);\n}\n';
    spec['src/leak.ts'] = `const token = "${GITHUB_TOKEN}";\n`;
    dir = makeTree(spec);
  });
  after(() => removeTree(dir));

  for (const [engine, opts] of engines) {
    describe(engine, () => {
      let ws: Workspace;
      before(async () => {
        // A generous time limit: on a busy machine counting must not stop early (the totals are asserted).
        ws = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(dir) }], { ...opts, grepTimeoutMs: 120_000 });
      });

      it('shows the source hit among 1,500 test hits, with the true total and a truthful cap message', async () => {
        const r = await ws.grep('handleRequest', { maxResults: 1000 });
        assert.equal(r.hits.length, 1000);
        assert.equal(r.total, 1501);
        assert.equal(r.files, 31);
        assert.equal(r.truncated, true);
        assert.ok(r.hits.some((h) => h.path === 'src/server/core.ts' && h.line === 2), 'the source hit is shown');
        assert.ok(new Set(r.hits.map((h) => h.path)).size === 31, 'every file has hits');
        assert.match(r.note ?? '', /1,000 of 1,501 matching lines shown \(from 31 of 31 files, spread across folders\); 1,000 is the most one grep returns; narrow with glob or exclude, or use \{mode: 'count'\}/);
        assert.doesNotMatch(r.note ?? '', /raise maxResults/);
        const sorted = [...r.hits].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line));
        assert.deepEqual(r.hits, sorted, 'hits in path order');
      });

      it('states a clamped maxResults, and spreads the default 100 too', async () => {
        const big = await ws.grep('handleRequest', { maxResults: 5000 });
        assert.equal(big.hits.length, 1000);
        assert.match(big.note ?? '', /maxResults 5,000 is above the most one grep returns; 1,000 used/);
        const dflt = await ws.grep('handleRequest', {});
        assert.equal(dflt.hits.length, 100);
        assert.equal(dflt.total, 1501);
        assert.ok(dflt.hits.some((h) => h.path === 'src/server/core.ts'));
        assert.match(dflt.note ?? '', /maxResults is 100 \(up to 1,000 allowed\)/);
      });

      it('keeps totals exact without a cut, and never counts a match on a masked secret', async () => {
        const r = await ws.grep('handleRequest\\(req', {});
        assert.deepEqual([r.total, r.files, r.truncated, r.note], [1, 1, false, undefined]);
        const s = await ws.grep('ghp_a1B', { mode: 'count' });
        assert.deepEqual([s.total, s.files], [0, 0]);
        const n = await ws.grep('ghp_a1B|handleRequest', { mode: 'count' });
        assert.equal(n.total, 1501);
      });

      it("mode 'files' lists every matching file with its count; mode 'count' most matches first, cut with N of M", async () => {
        const f = await ws.grep('handleRequest', { mode: 'files' });
        assert.equal(f.perFile?.length, 31);
        assert.deepEqual(f.perFile?.[0], { path: '__tests__/t00/x.test.ts', count: 50 });
        assert.deepEqual(f.perFile?.[30], { path: 'src/server/core.ts', count: 1 });
        assert.deepEqual([f.total, f.files, f.hits.length, f.truncated], [1501, 31, 0, false]);
        const c = await ws.grep('handleRequest', { mode: 'count', maxResults: 2 });
        assert.deepEqual(c.perFile, [
          { path: '__tests__/t00/x.test.ts', count: 50 },
          { path: '__tests__/t01/x.test.ts', count: 50 },
        ]);
        assert.deepEqual([c.total, c.files, c.truncated], [1501, 31, true]);
        assert.match(c.note ?? '', /2 of 31 files listed \(most matches first\)/);
      });

      it('leaves out what exclude names (comma list), and refuses a negated exclude with what to write', async () => {
        const r = await ws.grep('handleRequest', { exclude: '__tests__/**, e2e/**' });
        assert.deepEqual(r.hits.map((h) => `${h.path}:${h.line}`), ['src/server/core.ts:2']);
        assert.equal(r.total, 1);
        const g = await ws.grep('handleRequest', { glob: '**/*.ts', exclude: '*.test.ts', mode: 'count' });
        assert.equal(g.total, 751);
        await rejectsWith(ws.grep('x', { exclude: '!src/**' }), 'glob-invalid', /without '!'/);
        await rejectsWith(ws.grep('x', { mode: 'lines' as never }), 'grep-invalid', /mode must be one of 'hits', 'files', 'count'/);
      });

      it('cut by the byte cap: spread, and the note says so', async () => {
        const small = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(dir) }], { ...opts, maxGrepBytes: 8 * 1024, grepTimeoutMs: 120_000 });
        const r = await small.grep('handleRequest', { maxResults: 1000, contextLines: 3 });
        assert.ok(r.hits.length > 0 && r.hits.length < 100, String(r.hits.length));
        assert.equal(r.total, 1501);
        assert.match(r.note ?? '', /KiB cap cut them: ask for fewer contextLines/);
        assert.equal(new Set(r.hits.map((h) => h.path)).size, Math.min(r.hits.length, 31), 'one hit per file before any second');
      });
    });
  }
});
