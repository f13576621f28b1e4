/* What masking secrets costs readFile and grep (ratio against masking off, same tree, same run),
 * and what the host does for two floods one cell can ask for: 1,000 concurrent range reads of a
 * 1,000,000-line file, 100 concurrent greps (maxResults 1000, contextLines 10) over 600 KB of
 * long lines. Run alone: npx tsx bench/workspaceCost.ts [--files 10000] [--reps N] */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NodeFileSource, scanWorkspace, type ScanOptions, type Workspace } from '../src/core/workspace';
import { collectPool, ensureTree } from './lib/syntheticTree';
import { formatTable, type Row } from './lib/table';

const REPO = path.join(__dirname, '..');
const PATTERN = 'hasOwnProperty\\.call\\(\\w+, ?key\\)';
// Files read per readFile figure, 16 at a time (as Promise.all over a batch in a cell would).
const READS = 2000;
const READ_CONCURRENCY = 16;

const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

async function readAll(ws: Workspace, paths: string[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: READ_CONCURRENCY }, async () => {
      while (next < paths.length) await ws.readFile(paths[next++]);
    }),
  );
}

/** Longest gap of a 1 ms interval timer while `f` runs: the host's worst event-loop stall. */
async function worstStall(f: () => Promise<unknown>): Promise<{ stallMs: number; rssMb: number }> {
  global.gc?.();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  let last = performance.now();
  let worst = 0;
  const iv = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 1);
  try {
    await f();
  } finally {
    clearInterval(iv);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  return { stallMs: worst, rssMb: (peak - rss0) / 2 ** 20 };
}

export async function benchWorkspaceCost(options: { files?: number; reps?: number; workDir?: string } = {}): Promise<Row[]> {
  const n = options.files ?? 10_000;
  const reps = options.reps ?? 5;
  const workDir = options.workDir ?? path.join(REPO, '.bench-work');
  fs.mkdirSync(workDir, { recursive: true });
  let pool: string[] | undefined;
  const dir = ensureTree(path.join(workDir, `ws-${n}`), n, () => (pool ??= collectPool(path.join(REPO, 'node_modules'))));
  const bundled = path.join(REPO, 'dist', 'grepWorker.js');
  const base: ScanOptions = { grepWorkerPath: fs.existsSync(bundled) ? bundled : undefined };
  const open = (maskSecrets: boolean) => scanWorkspace([{ name: 'bench', source: new NodeFileSource(dir) }], { ...base, maskSecrets });
  const rows: Row[] = [];

  // readFile and grep, each on a fresh workspace (empty cache) and then again (cached), with
  // masking on and off in alternating order, so both see the same page cache and load.
  const paths = (await open(false)).context.files.slice(0, READS).map((f) => f.path);
  const figures: Record<string, number[]> = {};
  const add = (k: string, ms: number) => (figures[k] ??= []).push(ms);
  for (let i = 0; i <= reps; i++) {
    for (const mask of i % 2 ? [true, false] : [false, true]) {
      const ws = await open(mask);
      const cold = await timed(() => readAll(ws, paths));
      const warm = await timed(() => readAll(ws, paths));
      const g = await open(mask);
      const gCold = await timed(() => g.grep(PATTERN, { maxResults: 1000 }));
      const gWarm = await timed(() => g.grep(PATTERN, { maxResults: 1000 }));
      if (i === 0) continue; // warm-up
      const m = mask ? 'on' : 'off';
      add(`read-cold-${m}`, cold);
      add(`read-warm-${m}`, warm);
      add(`grep-cold-${m}`, gCold);
      add(`grep-warm-${m}`, gWarm);
    }
  }
  const row = (measure: string, key: string) => {
    const on = median(figures[`${key}-on`]);
    const off = median(figures[`${key}-off`]);
    rows.push({ measure, value: fmtMs(on), reference: `masking off: ${fmtMs(off)}`, ratio: `${(on / off).toFixed(2)}×`, goal: '≤ 1.10×' });
  };
  row(`readFile of ${READS.toLocaleString('en-US')} files, first read (masking on)`, 'read-cold');
  row(`readFile of the same files, cached (masking on)`, 'read-warm');
  row(`grep, ${n.toLocaleString('en-US')} files, first grep (masking on)`, 'grep-cold');
  row(`grep, ${n.toLocaleString('en-US')} files, again (masking on)`, 'grep-warm');

  // Floods from one cell, straight on the workspace (no sandbox), against an idle second.
  const floodDir = path.join(workDir, 'flood');
  if (!fs.existsSync(path.join(floodDir, 'long.txt'))) {
    fs.mkdirSync(floodDir, { recursive: true });
    fs.writeFileSync(path.join(floodDir, 'million.txt'), Array.from({ length: 1_000_000 }, (_, i) => `line ${i}`).join('\n') + '\n');
    fs.writeFileSync(path.join(floodDir, 'long.txt'), Array.from({ length: 200 }, (_, i) => `${i} needle ` + 'x'.repeat(3000)).join('\n') + '\n');
  }
  const flood = await scanWorkspace([{ name: 'flood', source: new NodeFileSource(floodDir) }], { ...base, maxFileBytes: 16 * 2 ** 20 });
  const idle = await worstStall(() => new Promise((r) => setTimeout(r, 1000)));
  const ranges = await worstStall(() => Promise.all(Array.from({ length: 1000 }, (_, i) => flood.readFile('million.txt', { start: i * 997 + 1, end: i * 997 + 1 }))));
  rows.push({
    measure: '1,000 concurrent range reads of a 1,000,000-line file: worst event-loop stall (RSS growth)',
    value: `${ranges.stallMs.toFixed(0)} ms (${ranges.rssMb.toFixed(0)} MB)`,
    reference: `idle 1 s: ${idle.stallMs.toFixed(0)} ms`,
    ratio: '',
    goal: '≤ 200 ms, ≤ 300 MB',
  });
  let replyBytes = 0;
  const greps = await worstStall(async () => {
    const rs = await Promise.all(Array.from({ length: 100 }, () => flood.grep('needle', { maxResults: 1000, contextLines: 10, glob: 'long.txt' })));
    replyBytes = Math.max(...rs.map((r) => Buffer.byteLength(JSON.stringify(r))));
  });
  rows.push({
    measure: '100 concurrent grep(maxResults 1000, contextLines 10), 600 KB of long lines: worst stall (RSS growth)',
    value: `${greps.stallMs.toFixed(0)} ms (${greps.rssMb.toFixed(0)} MB)`,
    reference: `idle 1 s: ${idle.stallMs.toFixed(0)} ms; one reply ${(replyBytes / 1024).toFixed(0)} KB`,
    ratio: '',
    goal: '≤ 200 ms, ≤ 300 MB',
  });
  return rows;
}

if (require.main === module) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i < 0 ? undefined : Number(process.argv[i + 1]);
  };
  benchWorkspaceCost({ files: arg('--files'), reps: arg('--reps') }).then(
    (rows) => console.log(formatTable(rows)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
