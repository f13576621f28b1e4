/* Workspace map benchmarks, side by side with ripgrep on the same synthetic trees:
 * building the map vs `rg -c ''` (with the scan's peak resident memory), one grep vs `rg -n`.
 * Run alone: npx tsx bench/workspace.ts [--sizes 10000,100000] [--reps N] */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { NodeFileSource, scanWorkspace } from '../src/core/workspace';
import { findRipgrep } from '../src/core/workspace/grepRipgrep';
import { collectPool, ensureTree } from './lib/syntheticTree';
import { formatTable, type Row } from './lib/table';



export interface WorkspaceBenchOptions {
  sizes?: number[];
  /** Measured repetitions per figure (after one warm-up). Default 9 up to 20k files, else 5. */
  reps?: number;
  /** Where the trees are cached. Default `<repo>/.bench-work`. */
  workDir?: string;
}

const REPO = path.join(__dirname, '..');
// An identifier that occurs a few dozen times per 10,000 files of npm code: the grep returns
// every hit (under maxResults), so both sides do the same work.
const PATTERN = 'hasOwnProperty\\.call\\(\\w+, ?key\\)';
// The same search written with a lookbehind, which ripgrep's default engine refuses.
const JS_PATTERN = '(?<=hasOwnProperty\\.call\\()\\w+, ?key\\)';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Runs a command, drains its output (not /dev/null, which ripgrep may short-cut), returns ms. */
function timed(cmd: string, args: string[], cwd: string): Promise<{ ms: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0 && code !== 1) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`));
      else resolve({ ms, stdout: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

function scanChildScript(workDir: string): string {
  const out = path.join(workDir, 'scan-child.js');
  buildSync({
    entryPoints: [path.join(__dirname, 'lib', 'scanChild.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  });
  return out;
}

const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const fmtN = (n: number) => n.toLocaleString('en-US');

export async function benchWorkspace(options: WorkspaceBenchOptions = {}): Promise<Row[]> {
  const sizes = options.sizes ?? [10_000, 100_000];
  const workDir = options.workDir ?? path.join(REPO, '.bench-work');
  fs.mkdirSync(workDir, { recursive: true });
  const rg = findRipgrep();
  if (!rg) throw new Error('ripgrep (rg) is needed on PATH for the workspace benchmark');
  const child = scanChildScript(workDir);
  let pool: string[] | undefined;
  const material = () => (pool ??= collectPool(path.join(REPO, 'node_modules')));
  const rows: Row[] = [];

  for (const n of sizes) {
    const dir = ensureTree(path.join(workDir, `ws-${n}`), n, material);
    const label = `${fmtN(n)} files`;
    // Medians of more runs where runs are cheap: the machine may be shared.
    const reps = options.reps ?? (n <= 20_000 ? 9 : 5);

    // Map build in a fresh process per repetition (peak RSS is per process), vs rg -c ''.
    const scanMs: number[] = [];
    const rss: number[] = [];
    const rgCount: number[] = [];
    let files = 0;
    for (let i = 0; i <= reps; i++) {
      const r = await timed(rg, ['-c', ''], dir);
      const c = await timed(process.execPath, [child, dir], REPO);
      const out = JSON.parse(c.stdout) as { ms: number; maxRssKb: number; files: number };
      if (i === 0) continue; // warm-up: page cache and disk
      rgCount.push(r.ms);
      scanMs.push(out.ms);
      rss.push(out.maxRssKb / 1024);
      files = out.files;
    }
    const scan = median(scanMs);
    const base = median(rgCount);
    rows.push({
      measure: `map build, ${label} (${fmtN(files)} mapped)`,
      value: fmtMs(scan),
      reference: `rg -c '': ${fmtMs(base)}`,
      ratio: `${(scan / base).toFixed(2)}×`,
      goal: '≤ 2×',
    });
    rows.push({
      measure: `map build peak RSS, ${label}`,
      value: `${Math.max(...rss).toFixed(0)} MB`,
      reference: 'whole Node process',
      ratio: '',
      goal: n >= 100_000 ? '≤ 250 MB' : '',
    });

    // One grep through the workspace (ripgrep engine + map filter) vs rg -n.
    // The bundled worker when built (as the extension runs it), else the source through tsx.
    const bundled = path.join(REPO, 'dist', 'grepWorker.js');
    const grepWorkerPath = fs.existsSync(bundled) ? bundled : undefined;
    const ws = await scanWorkspace([{ name: 'bench', source: new NodeFileSource(dir) }], { grepWorkerPath });
    const grepMs: number[] = [];
    const rgMs: number[] = [];
    let hits = 0;
    let rgHits = 0;
    for (let i = 0; i <= reps; i++) {
      const r = await timed(rg, ['-n', PATTERN], dir);
      const started = performance.now();
      const g = await ws.grep(PATTERN, { maxResults: 1000 });
      const ms = performance.now() - started;
      if (i === 0) continue;
      rgMs.push(r.ms);
      grepMs.push(ms);
      hits = g.hits.length;
      rgHits = r.stdout.split('\n').filter(Boolean).length;
    }
    const g = median(grepMs);
    const rb = median(rgMs);
    rows.push({
      measure: `grep, ${label} (${fmtN(hits)} hits)`,
      value: fmtMs(g),
      reference: `rg -n: ${fmtMs(rb)} (${fmtN(rgHits)} lines)`,
      ratio: `${(g / rb).toFixed(2)}×`,
      goal: '≤ 1.5×',
    });

    // JS-only syntax goes to the JS engine in a worker process: informative, no goal.
    const jsMs: number[] = [];
    const pcreMs: number[] = [];
    let jsHits = 0;
    for (let i = 0; i <= reps; i++) {
      const r = await timed(rg, ['-nP', JS_PATTERN], dir);
      const started = performance.now();
      const j = await ws.grep(JS_PATTERN, { maxResults: 1000 });
      const ms = performance.now() - started;
      if (i === 0) continue;
      pcreMs.push(r.ms);
      jsMs.push(ms);
      jsHits = j.hits.length;
    }
    const jm = median(jsMs);
    const pm = median(pcreMs);
    rows.push({
      measure: `grep with lookbehind (JS worker), ${label} (${fmtN(jsHits)} hits)`,
      value: fmtMs(jm),
      reference: `rg -nP: ${fmtMs(pm)}`,
      ratio: `${(jm / pm).toFixed(2)}×`,
      goal: '',
    });
  }
  return rows;
}

/** One line naming the machine, Node and ripgrep, to print beside the table. */
export function machine(): string {
  const cpus = os.cpus();
  const rg = findRipgrep();
  const rgVersion = rg ? execFileSync(rg, ['--version'], { encoding: 'utf8' }).split('\n')[0] : 'no ripgrep';
  return `${cpus[0]?.model ?? 'unknown CPU'} × ${cpus.length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}, ${rgVersion}`;
}


if (require.main === module) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i < 0 ? undefined : process.argv[i + 1];
  };
  const sizes = arg('--sizes')?.split(',').map(Number);
  const reps = arg('--reps') ? Number(arg('--reps')) : undefined;
  benchWorkspace({ sizes, reps }).then(
    (rows) => {
      console.log(formatTable(rows));
      console.log(`\n${machine()}`);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
