import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLI = join(__dirname, '..', '..', '..', 'dist', 'cli.js');

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would: a separate process, real HTTP to the fake server. Unless the
 *  test names one, the reply cache is a fresh folder (XDG_CACHE_HOME), removed afterwards, so no
 *  test reads another's replies or the user's cache. */
export function rlm(args: string[], opts: { env?: NodeJS.ProcessEnv; onStderr?: (text: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<Ran> {
  const cacheHome = opts.env?.XDG_CACHE_HOME === undefined ? mkdtempSync(join(tmpdir(), 'rlm-cache-')) : undefined;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, XDG_CACHE_HOME: cacheHome, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      opts.onStderr?.(stderr, child);
    });
    child.on('close', (code) => {
      if (cacheHome) rmSync(cacheHome, { recursive: true, force: true });
      resolve({ code, stdout, stderr });
    });
  });
}
