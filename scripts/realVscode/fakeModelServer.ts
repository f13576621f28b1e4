/** Runs the project's fake OpenAI-compatible server (test/fakeServer/cli.ts) as its own process,
 *  so the extension host talks to it over real HTTP. */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { FakeScript } from '../../test/fakeServer/script';
import { tempDir } from './tempDirs';

const REPO = path.resolve(__dirname, '..', '..');

export interface FakeModelServer {
  /** Base URL including /v1. */
  url: string;
  stop(): Promise<void>;
}

export async function startFakeModelServer(script: FakeScript): Promise<FakeModelServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-fake-'));
  const file = path.join(dir, 'script.json');
  fs.writeFileSync(file, JSON.stringify(script));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--require', require.resolve('tsx/cjs'), path.join(REPO, 'test', 'fakeServer', 'cli.ts'), file, '--watch-stdin', '--lifetime', '1800'],
    { stdio: ['pipe', 'pipe', 'pipe'], cwd: REPO },
  );
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`fake server did not start: ${err}`)), 20_000);
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) {
        clearTimeout(t);
        resolve(line.trim());
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`fake server exited with ${code}: ${err}`));
    });
  });
  return {
    url,
    stop: async () => {
      child.stdin!.end();
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh copy of a fixture folder in a temp directory (tests may write into it). */
export function copyFixture(fixtureDir: string): string {
  const dest = tempDir('rlm-ws-');
  fs.cpSync(fixtureDir, dest, { recursive: true });
  return dest;
}
