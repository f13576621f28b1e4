/* Code structure: outline() over 1,000 files of the synthetic tree (reference: readFile of the
 * same 1,000 files on a fresh workspace, same run) and references() of one word on the 100k-file
 * tree (reference: `rg -n -w` for the same word on the same tree, same run). Both start from a
 * fresh workspace (empty content cache) and a fresh parser thread.
 * Run alone: npx tsx bench/structure.ts [--files 100000] [--reps N] [--work-dir DIR] */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { grammarOf, TreeSitterStructure } from '../src/core/structure/treeSitterStructure';
import { NodeFileSource, scanWorkspace, type ScanOptions } from '../src/core/workspace';
import { collectPool, ensureTree } from './lib/syntheticTree';
import { formatTable, type Row } from './lib/table';

const REPO = path.join(__dirname, '..');
const OUTLINE_FILES = 1000;
const CONCURRENCY = 16;
// A word used in many files of the tree (real node_modules sources).
const WORD = 'hasOwnProperty';

const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { ms: performance.now() - t0, value };
}

async function eachConcurrently(paths: string[], f: (p: string) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < paths.length) await f(paths[next++]);
  }));
}

export async function benchStructure(options: { files?: number; reps?: number; workDir?: string } = {}): Promise<Row[]> {
  const big = options.files ?? 100_000;
  const reps = options.reps ?? 3;
  const workDir = options.workDir ?? path.join(REPO, '.bench-work');
  let pool: string[] | undefined;
  const material = () => (pool ??= collectPool(path.join(REPO, 'node_modules')));
  const small = ensureTree(path.join(workDir, 'ws-10000'), 10_000, material);
  const large = ensureTree(path.join(workDir, `ws-${big}`), big, material);
  const bundled = (name: string) => (fs.existsSync(path.join(REPO, 'dist', `${name}.js`)) ? path.join(REPO, 'dist', `${name}.js`) : undefined);
  const base: ScanOptions = { grepWorkerPath: bundled('grepWorker') };
  const worker = bundled('structureWorker');
  const rows: Row[] = [];

  const open = (dir: string) => scanWorkspace([{ name: 'bench', source: new NodeFileSource(dir) }], base);
  const paths = (await open(small)).context.files.filter((f) => grammarOf(f.path) && f.size <= 512 * 1024).slice(0, OUTLINE_FILES).map((f) => f.path);
  const outlineMs: number[] = [];
  const readMs: number[] = [];
  let symbols = 0;
  for (let i = 0; i <= reps; i++) {
    const r = await open(small);
    const read = await timed(() => eachConcurrently(paths, (p) => r.readFile(p)));
    const w = await open(small);
    const s = new TreeSitterStructure(w, {}, worker);
    let n = 0;
    const o = await timed(() => eachConcurrently(paths, async (p) => (n += (await s.outline(p)).items.length)));
    s.dispose();
    if (i === 0) continue; // warm-up (page cache, grammar compile)
    readMs.push(read.ms);
    outlineMs.push(o.ms);
    symbols = n;
  }
  rows.push({
    measure: `outline of ${paths.length.toLocaleString('en-US')} files (${CONCURRENCY} at a time; ${symbols.toLocaleString('en-US')} definitions)`,
    value: fmtMs(median(outlineMs)),
    reference: `readFile of the same files: ${fmtMs(median(readMs))}`,
    ratio: `${(median(outlineMs) / median(readMs)).toFixed(1)}×`,
    goal: '',
  });

  const ws = await open(large);
  const refMs: number[] = [];
  const rgMs: number[] = [];
  let found = '';
  let rgLines = 0;
  for (let i = 0; i <= reps; i++) {
    const rg = await timed(async () => execFileSync('rg', ['-n', '-w', '--no-messages', WORD, '.'], { cwd: large, maxBuffer: 1 << 30 }).toString());
    const w = i === 0 ? ws : await open(large);
    const s = new TreeSitterStructure(w, {}, worker);
    const r = await timed(() => s.references(WORD, { maxResults: 1000 }));
    s.dispose();
    if (i === 0) continue;
    rgMs.push(rg.ms);
    refMs.push(r.ms);
    rgLines = rg.value.split('\n').filter(Boolean).length;
    found = `${r.value.items.length} lines${r.value.truncated ? ', cut at the 300-file limit' : ''}`;
  }
  rows.push({
    measure: `references('${WORD}'), ${big.toLocaleString('en-US')} files (${found})`,
    value: fmtMs(median(refMs)),
    reference: `rg -n -w: ${fmtMs(median(rgMs))} (${rgLines.toLocaleString('en-US')} lines)`,
    ratio: `${(median(refMs) / median(rgMs)).toFixed(1)}×`,
    goal: '',
  });
  return rows;
}

if (require.main === module) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i < 0 ? undefined : process.argv[i + 1];
  };
  const n = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  benchStructure({ files: n(arg('--files')), reps: n(arg('--reps')), workDir: arg('--work-dir') }).then(
    (rows) => console.log(formatTable(rows)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
