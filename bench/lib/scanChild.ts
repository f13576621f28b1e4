// Child process of bench/workspace.ts: builds the map of one tree and reports its time and the
// process's peak resident memory, so the figure covers the scan and nothing else of the bench.
import { NodeFileSource, scanWorkspace } from '../../src/core/workspace';

async function main(): Promise<void> {
  const dir = process.argv[2];
  const started = performance.now();
  const ws = await scanWorkspace([{ name: 'bench', source: new NodeFileSource(dir) }]);
  const ms = performance.now() - started;
  const out = { ms, maxRssKb: process.resourceUsage().maxRSS, files: ws.context.totals.files, skipped: ws.context.totals.skipped };
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err) + '\n');
  process.exit(1);
});
