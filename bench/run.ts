/* `npm run bench`: every benchmark in one run, one table, each figure beside a reference measured
 * in the same run (ripgrep, an ideal schedule, a goal). Benchmarks are not tests: nothing here fails
 * on a slow figure. Options: --quick (10,000-file tree only, fewer repetitions, host-pressure floods
 * at a fifth of their size). */
import * as path from 'node:path';
import { benchBatch, benchReplyCache, benchRootPrompt, benchTrajectory } from './engine';
import { benchHostPressure } from './hostPressure';
import { formatTable, type Row } from './lib/table';
import { benchSandbox } from './sandbox';
import { benchStructure } from './structure';
import { benchWebview } from './webview';
import { benchWorkspace, machine } from './workspace';
import { benchWorkspaceCost } from './workspaceCost';
import { benchWarmMap } from './warmMap';

const quick = process.argv.includes('--quick');

async function section(name: string, run: () => Promise<Row[]>): Promise<Row[]> {
  process.stderr.write(`bench: ${name}…\n`);
  try {
    return await run();
  } catch (err) {
    process.stderr.write(`bench: ${name} failed: ${(err as Error).message}\n`);
    return [{ measure: `${name} (failed)`, value: (err as Error).message.split('\n')[0], reference: '', ratio: '', goal: '' }];
  }
}

async function main() {
  const sizes = quick ? [10_000] : [10_000, 100_000];
  const largest = sizes.at(-1)!;
  const rows: Row[] = [
    ...(await section('workspace map and grep vs ripgrep', () => benchWorkspace({ sizes, reps: quick ? 3 : 5 }))),
    ...(await section('secret masking and host floods', () => benchWorkspaceCost({ reps: quick ? 3 : 5 }))),
    ...(await section('code structure', () => benchStructure({ files: largest, reps: quick ? 1 : 3 }))),
    ...(await section('warm map', () => benchWarmMap({ files: largest, reps: quick ? 3 : 5 }))),
    ...(await section('sandbox', () => benchSandbox(quick ? { coldRuns: 5, warmRuns: 5, cells: 100 } : {}))),
    ...(await section('llm_batch', () => benchBatch())),
    ...(await section('reply cache', () => benchReplyCache())),
    ...(await section('root prompt', () => benchRootPrompt(path.join(__dirname, '..', '.bench-work', `ws-${largest}`)))),
    ...(await section('trajectory', () => benchTrajectory(quick ? [10, 100] : [10, 100, 1000]))),
    ...(await section('host pressure', () => benchHostPressure(quick ? { scale: 0.2 } : {}))),
    ...(await section('webview', async () =>
      (await benchWebview(5000, quick ? 3 : 5)).map((r) => ({ measure: r.measure, value: r.value, reference: '', ratio: '', goal: r.goal })),
    )),
  ];
  console.log(`Machine: ${machine()}\n`);
  console.log(formatTable(rows));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
