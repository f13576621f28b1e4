/* The warm map on the 100,000-file tree, each figure beside its reference measured in the same run:
 * - question -> first root request: from `Run.start()` to the moment the loopback fake server has
 *   the first chat request's whole body (performance.now() in this process, real HTTP), with the
 *   workspace step leasing the warm map, against the same run whose step scans the workspace;
 *   the sandbox pool is started (and its spare process warm) before either, as in VS Code after the first run;
 * - 100 changed files applied (touch + settle: lstat, read, context patched), against a full rescan;
 * - the warm map's memory: heap growth (after gc) from building the map and keeping it.
 * Run alone: npm run build && node --expose-gc -r tsx/cjs bench/warmMap.ts [--files 100000] [--reps N] */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OpenAIChatModel } from '../src/core/llm/openaiModel';
import { Run } from '../src/core/rlm/run';
import type { WorkspaceAccess } from '../src/core/workspace/types';
import { SandboxPool } from '../src/core/sandbox/pool';
import { NodeFileSource, scanWorkspace } from '../src/core/workspace';
import { scanRoots } from '../src/core/workspace/scan';
import { WarmMap } from '../src/core/workspace/warmMap';
import { startFakeServer, type FakeServer } from '../test/fakeServer/server';
import { collectPool, ensureTree } from './lib/syntheticTree';
import { formatTable, type Row } from './lib/table';

const REPO = path.join(__dirname, '..');
const SANDBOX = path.join(REPO, 'dist', 'sandbox.js');
const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Milliseconds from Run.start() to the first chat request at the server, and this process's CPU
 *  time over the same span (less moved by other processes on a loaded machine than wall time). */
async function toFirstRequest(server: FakeServer, pool: SandboxPool, workspace: (signal: AbortSignal) => Promise<WorkspaceAccess>): Promise<{ ms: number; cpu: number }> {
  const model = (id: string) => new OpenAIChatModel({ baseURL: server.url, apiKey: 'k', model: id });
  // As between two questions in VS Code: the pool's spare process is up before the question.
  await pool.whenWarm();
  const before = server.requests.length;
  const abort = new AbortController();
  const run = new Run({ question: 'What does this repository do?', workspace, rootModel: model('root'), subModel: model('sub'), budgets: { maxIterations: 1 }, signal: abort.signal }, { sandbox: pool });
  const t0 = performance.now();
  const c0 = cpuMs();
  let ended: string | undefined;
  const end = run.start().then((e) => ((ended = `${e.status}: ${e.reason ?? ''}`), e));
  while (server.requests.length === before) {
    if (ended !== undefined) throw new Error(`the run ended before any model request (${ended})`);
    await new Promise((r) => setTimeout(r, 1));
  }
  const cpu = cpuMs() - c0;
  const at = server.requests[before].at!;
  abort.abort();
  await end;
  return { ms: at - t0, cpu };
}

export async function benchWarmMap(options: { files?: number; reps?: number; workDir?: string } = {}): Promise<Row[]> {
  const n = options.files ?? 100_000;
  const reps = options.reps ?? 5;
  const workDir = options.workDir ?? path.join(REPO, '.bench-work');
  fs.mkdirSync(workDir, { recursive: true });
  let material: string[] | undefined;
  const dir = ensureTree(path.join(workDir, `ws-${n}`), n, () => (material ??= collectPool(path.join(REPO, 'node_modules'))));
  const roots = [{ name: 'bench', source: new NodeFileSource(dir) }];
  const label = `${n.toLocaleString('en-US')} files`;
  const rows: Row[] = [];

  // Memory: heap after gc, before and after building the map (the map kept alive).
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const warm = await WarmMap.build(roots);
  global.gc?.();
  const heapDelta = process.memoryUsage().heapUsed - heap0;

  const server = await startFakeServer({ models: { root: { rule: { fallback: '```js\nFINAL("ok")\n```' } } } });
  const pool = new SandboxPool({ scriptPath: SANDBOX });
  try {
    await pool.openSession({ workspace: await scanWorkspace([{ name: 'tiny', source: new NodeFileSource(path.join(REPO, 'test', 'integration', 'fixtures', 'workspace')) }]), subcalls: { llmQuery: async () => '', rlmQuery: async () => '' } }).then((s) => s.dispose());
    const cold: number[] = [];
    const hot: number[] = [];
    const hotCpu: number[] = [];
    const coldCpu: number[] = [];
    for (let i = 0; i <= reps; i++) {
      const c = await toFirstRequest(server, pool, (signal) => scanWorkspace(roots, { signal }));
      let release = () => {};
      const w = await toFirstRequest(server, pool, async (signal) => {
        const lease = await warm.lease(undefined, signal);
        release = lease.release;
        return lease.workspace;
      });
      release();
      if (i === 0) continue; // warm-up
      cold.push(c.ms);
      hot.push(w.ms);
      coldCpu.push(c.cpu);
      hotCpu.push(w.cpu);
    }
    rows.push({
      measure: `question -> first root request, warm map, ${label} (Run.start to the fake server having the request)`,
      value: `${fmtMs(median(hot))} (CPU ${fmtMs(median(hotCpu))})`,
      reference: `cold scan: ${fmtMs(median(cold))} (CPU ${fmtMs(median(coldCpu))})`,
      ratio: `${(median(hot) / median(cold)).toFixed(3)}×`,
      goal: '≤ 50 ms',
    });
  } finally {
    await pool.dispose();
    await server.close();
  }

  // 100 changed files: each edited (a line added, then taken away again), touched, applied.
  const paths = (await warm.lease().then((l) => (l.release(), l.workspace))).context.files.filter((_, i) => i % 997 === 0).slice(0, 100).map((f) => f.path);
  const originals = paths.map((p) => fs.readFileSync(path.join(dir, p)));
  const applied: number[] = [];
  const rescans: number[] = [];
  const appliedCpu: number[] = [];
  try {
    for (let i = 0; i <= reps; i++) {
      paths.forEach((p, k) => fs.writeFileSync(path.join(dir, p), i % 2 ? originals[k] : Buffer.concat([originals[k], Buffer.from('\n// changed\n')])));
      const t0 = performance.now();
      const c0 = cpuMs();
      for (const p of paths) warm.touch(0, p);
      await warm.settle();
      const a = performance.now() - t0;
      const ac = cpuMs() - c0;
      const t1 = performance.now();
      await scanRoots(roots);
      const r = performance.now() - t1;
      if (i === 0) continue;
      applied.push(a);
      appliedCpu.push(ac);
      rescans.push(r);
    }
  } finally {
    paths.forEach((p, k) => fs.writeFileSync(path.join(dir, p), originals[k]));
  }
  rows.push({
    measure: `100 changed files applied to the warm map, ${label} (touch to new snapshot)`,
    value: `${fmtMs(median(applied))} (CPU ${fmtMs(median(appliedCpu))})`,
    reference: `full rescan: ${fmtMs(median(rescans))}`,
    ratio: `${(median(applied) / median(rescans)).toFixed(3)}×`,
    goal: '≤ 100 ms',
  });
  rows.push({
    measure: `warm map memory, ${label} (heap growth after gc, map kept)`,
    value: global.gc ? `${(heapDelta / 2 ** 20).toFixed(0)} MB` : 'run with --expose-gc',
    reference: '',
    ratio: '',
    goal: 'stated',
  });
  warm.dispose();
  return rows;
}

if (require.main === module) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i < 0 ? undefined : Number(process.argv[i + 1]);
  };
  benchWarmMap({ files: arg('--files'), reps: arg('--reps') }).then(
    (rows) => console.log(formatTable(rows)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
