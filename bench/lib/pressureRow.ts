/* One row of the host-pressure table, in a fresh process (forked by bench/hostPressure.ts) so that
 * its peak resident memory is its own: sets up a real workspace, pool and session (or a whole run
 * against the fake server), takes the idle resident memory as the row's base, resets the kernel's
 * peak (VmHWM), runs the flood, and reports the peak's growth and the worst event-loop stall. */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { OpenAIChatModel } from '../../src/core/llm/openaiModel';
import { Run } from '../../src/core/rlm/run';
import type { TraceEvent } from '../../src/core/trace/types';
import { SandboxPool } from '../../src/core/sandbox/pool';
import type { SandboxLimits, SubcallHost } from '../../src/core/sandbox/types';
import { NodeFileSource, scanWorkspace } from '../../src/core/workspace';

export type RowName = 'idle' | 'readControl' | 'readPlain' | 'grepLong' | 'rangeReads' | 'cellTimeout' | 'printBlocks' | 'depthMemory';

export interface RowReport {
  rssGrowthMb: number;
  stallMs: number;
  /** Row-specific figures (the cell's outcome, a request size, processes left...). */
  notes: string[];
  /** Numbers a goal is checked against (seconds, bytes, MB). */
  figures: Record<string, number>;
}

const SANDBOX = join(__dirname, '..', '..', 'dist', 'sandbox.js');
const MB = 1024 * 1024;

function status(field: 'VmRSS' | 'VmHWM', pid: number | 'self' = 'self'): number {
  try {
    const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Children of this process: [pid, command line]. */
function children(): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) out.push([Number(d), readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ')]);
    } catch {
      /* gone */
    }
  }
  return out;
}

function searchProcesses(): number {
  return children().filter(([, cmd]) => /(^|\/)rg |grepWorker/.test(cmd)).length;
}

function makeFixture(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rlm-pressure-'));
  writeFileSync(join(dir, 'control.txt'), '\u0001'.repeat(1_000_000));
  writeFileSync(join(dir, 'plain.txt'), ('a'.repeat(99) + '\n').repeat(10_000));
  // 600 KB of 600-character lines, every one a match.
  writeFileSync(join(dir, 'long.txt'), ('x'.repeat(599) + '\n').repeat(1_000));
  writeFileSync(join(dir, 'lines.txt'), 'y\n'.repeat(1_000_000));
  return dir;
}

const noSubcalls: SubcallHost = { llmQuery: async () => 'ok', rlmQuery: async () => 'ok' };

const CELLS: Partial<Record<RowName, (n: number) => string>> = {
  idle: () => '1',
  readControl: (n) => `(await Promise.all(Array.from({ length: ${n} }, () => readFile("control.txt").then((t) => t.length)))).length`,
  readPlain: (n) => `(await Promise.all(Array.from({ length: ${n} }, () => readFile("plain.txt").then((t) => t.length)))).length`,
  grepLong: (n) =>
    `(await Promise.all(Array.from({ length: ${n} }, () => grep("x", { glob: "long.txt", maxResults: 1000, contextLines: 10 }).then((h) => h.length)))).length`,
  rangeReads: (n) => `(await Promise.all(Array.from({ length: ${n} }, (_, i) => readFile("lines.txt", { start: i + 1, end: i + 1 })))).length`,
  // Host work only, awaited one at a time: ranges of the large file and JS-regex greps (the
  // lookbehind keeps them off ripgrep, so each starts a worker process).
  cellTimeout: () => 'let n = 0\nfor (;;) { await readFile("lines.txt", { start: n + 1, end: n + 2 }); await grep("(?<=y)z", { glob: "plain.txt" }); n++ }',
};

/** Runs `fn` between a base and a peak reading. */
async function measure(fn: () => Promise<{ notes: string[]; figures?: Record<string, number> }>): Promise<RowReport> {
  global.gc?.();
  await new Promise((r) => setTimeout(r, 300));
  const base = status('VmRSS');
  writeFileSync('/proc/self/clear_refs', '5');
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const { notes, figures } = await fn();
  delay.disable();
  return { rssGrowthMb: status('VmHWM') - base, stallMs: delay.max / 1e6, notes, figures: figures ?? {} };
}

async function sessionRow(name: RowName, n: number, dir: string): Promise<RowReport> {
  const limits: Partial<SandboxLimits> = { cellTimeoutMs: name === 'cellTimeout' ? 5000 : 600_000, subcallsPerCell: 10_000 };
  const workspace = await scanWorkspace([{ name: 'bench', source: new NodeFileSource(dir) }], { maxFileBytes: 4 * MB });
  const pool = new SandboxPool({ scriptPath: SANDBOX, limits });
  try {
    const session = await pool.openSession({ workspace, subcalls: noSubcalls });
    await session.runCell('1');
    const report = await measure(async () => {
      const started = performance.now();
      // A cell that is never stopped (the base of issue 7) is cancelled here, and says so.
      const r = await session.runCell(CELLS[name]!(n), AbortSignal.timeout(180_000));
      const s = (performance.now() - started) / 1000;
      const notes = [`cell ${r.killed ? `ended: ${r.killed}` : r.error ? `error: ${r.error.slice(0, 80)}` : `= ${r.output.slice(0, 40)}`} after ${s.toFixed(1)} s`];
      if (name === 'idle') await new Promise((res) => setTimeout(res, 2000));
      let left = searchProcesses();
      if (name === 'cellTimeout') {
        await new Promise((res) => setTimeout(res, 1000));
        left = searchProcesses();
        notes.push(`${left} search processes left 1 s later`);
      }
      return { notes, figures: { seconds: s, left } };
    });
    await session.dispose();
    return report;
  } finally {
    await pool.dispose();
  }
}

function startServer(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(join(__dirname, 'pressureServer.ts'), args, { execArgv: ['-r', 'tsx/cjs'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { url: string }) => resolve({ child, url: m.url }));
    child.once('exit', () => reject(new Error('the fake server did not start')));
  });
}

function requestSizes(child: ChildProcess): Promise<number[]> {
  return new Promise((resolve) => {
    child.once('message', (m: { sizes: number[] }) => resolve(m.sizes));
    child.send({ t: 'sizes' });
  });
}

/** Peak resident memory of all sandbox processes together, sampled every 50 ms. */
function sandboxPeak(): { stop(): number } {
  let peak = 0;
  const timer = setInterval(() => {
    let sum = 0;
    for (const [pid, cmd] of children()) if (cmd.includes('sandbox.js')) sum += status('VmRSS', pid);
    peak = Math.max(peak, sum);
  }, 50);
  return { stop: () => (clearInterval(timer), peak) };
}

async function runRow(name: RowName, n: number, dir: string): Promise<RowReport> {
  const server = await startServer(name === 'depthMemory' ? ['depth', String(n)] : ['blocks', String(n), '20000']);
  const workspace = await scanWorkspace([{ name: 'bench', source: new NodeFileSource(dir) }]);
  const pool = new SandboxPool({ scriptPath: SANDBOX });
  try {
    await pool.whenWarm();
    const model = (id: string) => new OpenAIChatModel({ baseURL: server.url, apiKey: 'k', model: id });
    return await measure(async () => {
      const peak = sandboxPeak();
      const errors: string[] = [];
      const r = await new Run(
        {
          question: name === 'depthMemory' ? 'LEVEL1' : 'print blocks',
          workspace,
          rootModel: model('root'),
          subModel: model('sub'),
          budgets: { maxDepth: name === 'depthMemory' ? 3 : 1, maxIterations: 4, maxWallMs: 900_000 },
          onEvent: (e: TraceEvent) => {
            if (e.type === 'cell.output' && e.error) errors.push(e.error.split('\n')[0].slice(0, 120));
          },
        },
        { sandbox: pool },
      ).start();
      const sandboxMb = peak.stop();
      const sizes = await requestSizes(server.child);
      const notes = [`run ${r.status}${r.answer ? ` "${r.answer}"` : ''}${r.reason ? ` (${r.reason})` : ''}`];
      if (errors.length) notes.push(`${errors.length} cells failed, first: ${errors[0]}`);
      if (name === 'printBlocks') {
        notes.push(sizes.length > 1 ? `next root request ${(sizes[1] / MB).toFixed(2)} MB` : 'no next root request');
        return { notes, figures: { nextRequestBytes: sizes[1] ?? Infinity } as Record<string, number> };
      }
      notes.push(`sandboxes' peak ${Math.round(sandboxMb)} MB together`);
      return { notes, figures: { sandboxMb } as Record<string, number> };
    });
  } finally {
    await pool.dispose();
    server.child.disconnect();
  }
}

async function main(): Promise<void> {
  const [name, count] = process.argv.slice(2) as [RowName, string];
  const dir = makeFixture();
  try {
    const report = name === 'printBlocks' || name === 'depthMemory' ? await runRow(name, Number(count), dir) : await sessionRow(name, Number(count), dir);
    process.send?.(report);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
