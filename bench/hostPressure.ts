/* Host pressure (issue 7): what one cell's flood of host work costs the host process, as peak
 * resident-memory growth and the worst event-loop stall, beside an idle baseline measured in the
 * same run. Each row runs in a fresh process (bench/lib/pressureRow.ts); a row whose host passes
 * --cap MB (default 2500) resident is killed and shown as "over the cap".
 * Run alone: npm run build && node -r tsx/cjs bench/hostPressure.ts [--scale 0.25] [--only grepLong] [--cap 2500] */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatTable, type Row } from './lib/table';
import type { RowName, RowReport } from './lib/pressureRow';

interface RowSpec {
  name: RowName;
  /** The issue's figure; --scale multiplies it (never the baseline). */
  count: number;
  label: (n: number) => string;
  /** Extra goal of the row, checked against one of its figures. */
  goal?: { text: string; met: (f: Record<string, number>) => boolean };
}

const ROWS: RowSpec[] = [
  { name: 'idle', count: 1, label: () => 'idle baseline (one trivial cell, 2 s)' },
  { name: 'readControl', count: 1000, label: (n) => `${n} concurrent readFile of a 1 MB file of U+0001` },
  { name: 'readPlain', count: 1000, label: (n) => `${n} concurrent readFile of a plain 1 MB file` },
  { name: 'grepLong', count: 100, label: (n) => `${n} concurrent grep (maxResults 1000, contextLines 10), 600 KB of long lines` },
  { name: 'rangeReads', count: 1000, label: (n) => `${n} concurrent one-line readFile ranges of a 1,000,000-line file` },
  {
    name: 'cellTimeout',
    count: 1,
    label: () => 'cell time limit 5 s, a cell looping on awaited readFile ranges and JS-regex greps',
    goal: { text: 'ends ≤ 6 s, no search process left', met: (f) => f.seconds <= 6 && f.left === 0 },
  },
  {
    name: 'printBlocks',
    count: 1000,
    label: (n) => `one root reply of ${n} print("x".repeat(20000)) blocks`,
    goal: { text: 'next root request ≤ 1 MB', met: (f) => f.nextRequestBytes <= 1024 * 1024 },
  },
  {
    name: 'depthMemory',
    count: 300,
    label: (n) => `depth 3, 3 children a run, each run holding ${n} MB`,
    goal: { text: 'sandboxes together ≤ 2048 MB', met: (f) => f.sandboxMb <= 2048 + 256 },
  },
];

const RSS_GOAL_MB = 300;
const STALL_GOAL_MS = 200;

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function runRow(spec: RowSpec, n: number, capMb: number): Promise<RowReport | string> {
  const child = fork(join(__dirname, 'lib', 'pressureRow.ts'), [spec.name, String(n)], {
    execArgv: ['--expose-gc', '-r', 'tsx/cjs'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let report: RowReport | undefined;
  let capped = false;
  const watch = setInterval(() => {
    if (child.pid && rssOf(child.pid) > capMb) {
      capped = true;
      child.kill('SIGKILL');
    }
  }, 20);
  child.on('message', (m: RowReport) => (report = m));
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearInterval(watch);
      if (capped) resolve(`over the cap: host passed ${capMb} MB resident and was killed`);
      else resolve(report ?? `failed (exit ${code})`);
    });
  });
}

const fmt = (x: number) => (x < 10 ? x.toFixed(1) : Math.round(x).toLocaleString('en-US'));

export async function benchHostPressure(options: { scale?: number; only?: string; capMb?: number } = {}): Promise<Row[]> {
  const scale = options.scale ?? 1;
  const capMb = options.capMb ?? 2500;
  const idle = await runRow(ROWS[0], 1, capMb);
  const reference = typeof idle === 'string' ? idle : `idle +${fmt(idle.rssGrowthMb)} MB, ${fmt(idle.stallMs)} ms`;
  const rows: Row[] = [];
  for (const spec of ROWS) {
    if (options.only && spec.name !== options.only && spec.name !== 'idle') continue;
    const n = spec.name === 'idle' ? 1 : Math.max(1, Math.round(spec.count * scale));
    process.stderr.write(`bench: host pressure: ${spec.label(n)}…\n`);
    const r = spec.name === 'idle' ? idle : await runRow(spec, n, capMb);
    if (typeof r === 'string') {
      rows.push({ measure: `host pressure: ${spec.label(n)}`, value: r, reference, ratio: '', goal: goalText(spec) });
      continue;
    }
    const met = r.rssGrowthMb <= RSS_GOAL_MB && r.stallMs <= STALL_GOAL_MS && (spec.goal?.met(r.figures) ?? true);
    rows.push({
      measure: `host pressure: ${spec.label(n)}`,
      value: `RSS +${fmt(r.rssGrowthMb)} MB, stall ${fmt(r.stallMs)} ms; ${r.notes.join('; ')}`,
      reference,
      ratio: `${(r.rssGrowthMb / RSS_GOAL_MB).toFixed(2)}× / ${(r.stallMs / STALL_GOAL_MS).toFixed(2)}× of goal${met ? '' : ' (missed)'}`,
      goal: goalText(spec),
    });
  }
  return rows;
}

function goalText(spec: RowSpec): string {
  return `RSS ≤ ${RSS_GOAL_MB} MB, stall ≤ ${STALL_GOAL_MS} ms${spec.goal ? `; ${spec.goal.text}` : ''}`;
}

if (require.main === module) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i < 0 ? undefined : process.argv[i + 1];
  };
  benchHostPressure({ scale: arg('--scale') ? Number(arg('--scale')) : undefined, only: arg('--only'), capMb: arg('--cap') ? Number(arg('--cap')) : undefined }).then(
    (rows) => console.log(formatTable(rows)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
