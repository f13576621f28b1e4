/* Sandbox benchmarks: cold start of a fresh process with SES locked down, time to the first cell
 * with a warm spare process, and the per-cell overhead of a trivial cell.
 * Run alone: npm run build && npx tsx bench/sandbox.ts [--cold 10] [--warm 10] [--cells 200] */
import * as path from 'node:path';
import { SandboxPool } from '../src/core/sandbox/pool';
import { SandboxProcess } from '../src/core/sandbox/process';
import { DEFAULT_SANDBOX_LIMITS, type SubcallHost } from '../src/core/sandbox/types';
import type { ContextMap, WorkspaceAccess } from '../src/core/workspace/types';
import { formatTable, type Row } from './lib/table';



export interface SandboxBenchOptions {
  scriptPath?: string;
  coldRuns?: number;
  warmRuns?: number;
  cells?: number;
}

const SCRIPT = path.join(__dirname, '..', 'dist', 'sandbox.js');

const context: ContextMap = {
  root: 'bench',
  roots: ['bench'],
  files: [],
  tree: { name: 'bench', path: '', files: 0, bytes: 0, lines: 0, dirs: [], fileNames: [] },
  languages: {},
  totals: { files: 0, bytes: 0, lines: 0, skipped: 0 },
  skipped: [],
};
const workspace: WorkspaceAccess = {
  context,
  readFile: async () => '',
  grep: async () => ({ hits: [], truncated: false, total: 0, files: 0 }),
  hasFile: () => false,
};
const subcalls: SubcallHost = { llmQuery: async (p) => p, rlmQuery: async (p) => p };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function row(measure: string, samples: number[], goalMs: number): Row {
  const m = median(samples);
  return {
    measure,
    value: `${m < 10 ? m.toFixed(2) : m.toFixed(0)} ms (median of ${samples.length})`,
    reference: `min ${Math.min(...samples).toFixed(2)} ms, max ${Math.max(...samples).toFixed(2)} ms`,
    ratio: `${(m / goalMs).toFixed(2)}× of goal`,
    goal: `≤ ${goalMs} ms`,
  };
}

export async function benchSandbox(options: SandboxBenchOptions = {}): Promise<Row[]> {
  const scriptPath = options.scriptPath ?? SCRIPT;
  const heapMb = DEFAULT_SANDBOX_LIMITS.heapMb;

  // Cold start: fork, load the bundle, lockdown(), warm-up cell, "ready". One at a time.
  const cold: number[] = [];
  for (let i = 0; i < (options.coldRuns ?? 10); i++) {
    const t0 = performance.now();
    const proc = new SandboxProcess({ scriptPath, heapMb });
    await proc.ready;
    cold.push(performance.now() - t0);
    proc.kill();
  }

  // First cell with a warm spare: openSession + the first trivial cell.
  const pool = new SandboxPool({ scriptPath });
  const first: number[] = [];
  try {
    for (let i = 0; i < (options.warmRuns ?? 10); i++) {
      await pool.whenWarm();
      const t0 = performance.now();
      const session = await pool.openSession({ workspace, subcalls });
      await session.runCell('1');
      first.push(performance.now() - t0);
      await session.dispose();
    }

    // Per-cell overhead: a trivial cell, round trip through IPC, transform and evaluate.
    await pool.whenWarm();
    const session = await pool.openSession({ workspace, subcalls });
    const per: number[] = [];
    for (let i = 0; i < 20; i++) await session.runCell('1'); // settle the JIT on both sides
    for (let i = 0; i < (options.cells ?? 200); i++) {
      const t0 = performance.now();
      await session.runCell('x = 1 + 1');
      per.push(performance.now() - t0);
    }
    await session.dispose();

    return [
      row('sandbox cold start (fresh process, SES locked down)', cold, 150),
      row('first cell with a warm spare (openSession + cell)', first, 5),
      row('per-cell overhead (trivial cell)', per, 2),
    ];
  } finally {
    await pool.dispose();
  }
}


if (require.main === module) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i < 0 ? undefined : Number(process.argv[i + 1]);
  };
  benchSandbox({ coldRuns: arg('--cold'), warmRuns: arg('--warm'), cells: arg('--cells') }).then(
    (rows) => console.log(formatTable(rows)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
