/* Engine benchmarks: llm_batch against an ideal schedule, root prompt size, trajectory growth.
 * Run alone: npm run build && npx tsx bench/engine.ts [--workspace DIR] (--cache: only the reply-cache row) */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { OpenAIChatModel } from '../src/core/llm/openaiModel';
import { endpointOf, ReplyCache, withReplyCache } from '../src/core/llm/replyCache';
import { Run } from '../src/core/rlm/run';
import { firstUserMessage } from '../src/core/rlm/summary';
import { systemPrompt } from '../src/core/rlm/systemPrompt';
import { DEFAULT_TURN_LIMITS, type Budgets } from '../src/core/rlm/types';
import { SandboxPool } from '../src/core/sandbox/pool';
import { TrajectoryWriter } from '../src/core/trace/trajectory';
import { NodeFileSource, scanWorkspace } from '../src/core/workspace';
import { startFakeServer, type FakeScript } from '../test/fakeServer/server';
import { formatTable, type Row } from './lib/table';



const SANDBOX = join(__dirname, '..', 'dist', 'sandbox.js');
const js = (code: string) => '```js\n' + code + '\n```';

function tinyRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 'rlm-bench-'));
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src', 'a.ts'), 'export const a = 1;\n');
  return root;
}

async function timedRun(script: FakeScript, budgets: Partial<Budgets>, trace?: string) {
  const server = await startFakeServer(script);
  const pool = new SandboxPool({ scriptPath: SANDBOX });
  const root = tinyRepo();
  const writer = trace ? await TrajectoryWriter.open(trace) : undefined;
  try {
    const workspace = await scanWorkspace([{ name: 'bench', source: new NodeFileSource(root) }]);
    const model = (id: string) => new OpenAIChatModel({ baseURL: server.url, apiKey: 'k', model: id });
    await pool.openSession({ workspace, subcalls: { llmQuery: async () => '', rlmQuery: async () => '' } }).then((s) => s.dispose());
    const started = performance.now();
    const result = await new Run(
      {
        question: 'bench',
        workspace,
        rootModel: model('root'),
        subModel: model('sub'),
        budgets,
        sandboxLimits: { subcallsInFlight: budgets.concurrency ?? 16, subcallsPerCell: 1000, batchSize: 1000 },
        onEvent: writer ? (e) => writer.append(e) : undefined,
      },
      { sandbox: pool },
    ).start();
    const ms = performance.now() - started;
    if (result.status !== 'answered' && result.status !== 'forced') throw new Error(`bench run ended ${result.status}: ${result.reason}`);
    return { ms, stats: server.stats() };
  } finally {
    await writer?.close();
    await pool.dispose();
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
}

export async function benchBatch(prompts = 200, latencyMs = 250, concurrency = 16): Promise<Row[]> {
  // The ideal: every slot busy all the time (200 / 16 × 250 ms = 3.125 s). Whole waves
  // of fixed latency cannot beat ceil(200 / 16) × 250 ms = 3.25 s, so 1.04× is the floor here.
  const ideal = (prompts / concurrency) * latencyMs;
  const batchCode = js(`const r = await llm_batch(Array.from({length: ${prompts}}, (_, i) => 'item ' + i))\nFINAL(String(r.length))`);
  const loopCode = js(`const r = []\nfor (let i = 0; i < ${prompts}; i++) r.push(await llm_query('item ' + i))\nFINAL(String(r.length))`);
  const script = (code: string): FakeScript => ({ models: { root: { turns: [code] }, sub: { latencyMs, rule: { fallback: 'ok' } } } });
  const budgets = { concurrency, maxSubcalls: 10_000, maxIterations: 2 };
  const batch = await timedRun(script(batchCode), budgets);
  const serial = await timedRun(script(loopCode), budgets);
  return [
    {
      measure: `llm_batch of ${prompts} prompts, ${latencyMs} ms latency, concurrency ${concurrency}`,
      value: `${(batch.ms / 1000).toFixed(3)} s (max in flight ${batch.stats.maxInFlight})`,
      reference: `ideal ${(ideal / 1000).toFixed(3)} s`,
      ratio: `${(batch.ms / ideal).toFixed(2)}×`,
      goal: '≤ 1.15×',
    },
    {
      measure: `the same ${prompts} prompts one by one (llm_query loop)`,
      value: `${(serial.ms / 1000).toFixed(2)} s`,
      reference: `llm_batch ${(batch.ms / 1000).toFixed(2)} s`,
      ratio: `${(serial.ms / batch.ms).toFixed(1)}× slower`,
      goal: '—',
    },
  ];
}

/** The same question asked twice over the same workspace: cold reply cache, then warm (every
 *  root turn and sub-call from disk). Requests counted at the fake server; 250 ms model latency. */
export async function benchReplyCache(prompts = 50, latencyMs = 250): Promise<Row[]> {
  const code = js(`const r = await llm_batch(Array.from({length: ${prompts}}, (_, i) => 'item ' + i))\nprint(r.length)`);
  const server = await startFakeServer({ models: { root: { latencyMs, turns: [code, js("FINAL('done')")] }, sub: { latencyMs, rule: { fallback: 'ok' } } } });
  const pool = new SandboxPool({ scriptPath: SANDBOX });
  const root = tinyRepo();
  const dir = mkdtempSync(join(tmpdir(), 'rlm-cache-bench-'));
  try {
    const workspace = await scanWorkspace([{ name: 'bench', source: new NodeFileSource(root) }]);
    const cache = new ReplyCache(dir);
    const model = (id: string) => withReplyCache(new OpenAIChatModel({ baseURL: server.url, apiKey: 'k', model: id }), cache, endpointOf(server.url), ['k']);
    const once = async () => {
      const before = server.stats().chatRequests;
      const started = performance.now();
      const end = await new Run({ question: 'bench', workspace, rootModel: model('root'), subModel: model('sub'), budgets: { concurrency: 16 } }, { sandbox: pool }).start();
      if (end.status !== 'answered') throw new Error(`bench run ended ${end.status}: ${end.reason}`);
      return { ms: performance.now() - started, requests: server.stats().chatRequests - before };
    };
    const cold = await once();
    const warm = await once();
    return [
      {
        measure: `the same question again, reply cache warm (2 root turns + ${prompts} sub-calls, ${latencyMs} ms latency)`,
        value: `${warm.ms.toFixed(0)} ms, ${warm.requests} requests`,
        reference: `cold: ${cold.ms.toFixed(0)} ms, ${cold.requests} requests`,
        ratio: `${(warm.ms / cold.ms).toFixed(2)}×`,
        goal: '0 requests',
      },
    ];
  } finally {
    await pool.dispose();
    await server.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchRootPrompt(workspaceDir?: string): Promise<Row[]> {
  if (!workspaceDir) return [];
  const workspace = await scanWorkspace([{ name: basename(workspaceDir), source: new NodeFileSource(workspaceDir) }]);
  const first = Buffer.byteLength(firstUserMessage('What does this repository do?', workspace.context));
  const sys = Buffer.byteLength(systemPrompt({ maxIterations: 30, outputChars: 20_000, subcallChars: 100_000, canRecurse: false, turn: DEFAULT_TURN_LIMITS }));
  return [
    {
      measure: `first user message, ${workspace.context.totals.files.toLocaleString('en-US')}-file workspace`,
      value: `${(first / 1024).toFixed(2)} KB (+ ${(sys / 1024).toFixed(2)} KB system prompt)`,
      reference: '8 KB',
      ratio: `${(first / 8192).toFixed(2)}×`,
      goal: '≤ 1.00×',
    },
  ];
}

export async function benchTrajectory(sizes = [10, 100, 1000]): Promise<Row[]> {
  const rows: Row[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'rlm-traj-bench-'));
  let perIteration10 = 0;
  try {
    for (const n of sizes) {
      const turns = Array.from({ length: n }, (_, i) => js(`const v${i} = ${i} * 2\nprint('turn ${i}', v${i})`));
      const file = join(dir, `t${n}.jsonl`);
      await timedRun({ models: { root: { turns: [...turns, 'forced answer'] } } }, { maxIterations: n, maxTokens: 1e12 }, file);
      const bytes = statSync(file).size;
      const per = bytes / n;
      if (n === sizes[0]) perIteration10 = per;
      rows.push({
        measure: `trajectory after ${n} iterations`,
        value: `${(bytes / 1024).toFixed(1)} KB (${Math.round(per)} B/iteration)`,
        reference: `${Math.round(perIteration10)} B/iteration at ${sizes[0]}`,
        ratio: `${(per / perIteration10).toFixed(2)}×`,
        goal: 'linear (≈ 1×)',
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}


if (require.main === module) {
  const i = process.argv.indexOf('--workspace');
  (async () => {
    if (process.argv.includes('--cache')) return console.log(formatTable(await benchReplyCache()));
    const rows = [...(await benchBatch()), ...(await benchRootPrompt(i > 0 ? process.argv[i + 1] : undefined)), ...(await benchTrajectory())];
    console.log(formatTable(rows));
  })().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
