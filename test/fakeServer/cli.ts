/**
 * Run the fake server as its own process (the VS Code integration tests need one outside the
 * extension host): `tsx test/fakeServer/cli.ts script.json [--lifetime SECONDS] [--watch-stdin]`.
 * Prints one line, the base URL (…/v1), then serves until SIGINT/SIGTERM, IPC disconnect,
 * stdin closing (with --watch-stdin) or the lifetime (default 30 min) ends, so it never lingers.
 */
import { readFileSync } from 'node:fs';
import { startFakeServer, type FakeScript } from './server';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--'));
  const lifetimeIdx = args.indexOf('--lifetime');
  const lifetimeS = lifetimeIdx >= 0 ? Number(args[lifetimeIdx + 1]) : 1800;
  let script: FakeScript = {};
  if (file) {
    try {
      script = JSON.parse(readFileSync(file, 'utf8')) as FakeScript;
    } catch (err) {
      process.stderr.write(`fake server: cannot read script ${file}: ${(err as Error).message}\n`);
      process.exit(2);
    }
  }
  const server = await startFakeServer(script);
  process.stdout.write(`${server.url}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void server.close().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  if (args.includes('--watch-stdin')) {
    process.stdin.on('end', stop);
    process.stdin.on('close', stop);
    process.stdin.resume();
  }
  if (Number.isFinite(lifetimeS) && lifetimeS > 0) setTimeout(stop, lifetimeS * 1000).unref();
  // Keep the process alive while the server listens (the lifetime timer is unref'd).
}

void main();
