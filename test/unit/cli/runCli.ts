import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLI = join(__dirname, '..', '..', '..', 'dist', 'cli.js');

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunCliOptions {
  env?: NodeJS.ProcessEnv;
  /** Written to stdin; stdin is then closed unless `keepStdin`. */
  input?: string;
  keepStdin?: boolean;
  onStderr?: (text: string, child: ChildProcess) => void;
}

/** Runs the built CLI as a user would: a separate process, real HTTP to the fake server. Unless the
 *  test names one, the reply cache is a fresh folder (XDG_CACHE_HOME), removed afterwards, so no
 *  test reads another's replies or the user's cache. */
export function rlm(args: string[], opts: RunCliOptions = {}): Promise<Ran> {
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
    child.stdin.on('error', () => undefined);
    if (opts.input !== undefined) child.stdin.write(opts.input);
    if (!opts.keepStdin) child.stdin.end();
    child.on('close', (code, signal) => {
      if (cacheHome) rmSync(cacheHome, { recursive: true, force: true });
      resolve({ code, signal, stdout, stderr });
    });
  });
}
