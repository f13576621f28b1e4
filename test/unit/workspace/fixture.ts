import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const BUNDLED_WORKER = path.join(__dirname, '../../../dist/grepWorker.js');

/** The JS grep engine through the bundled worker when built (npm test builds first): it starts in
 *  tens of ms, where the source through tsx takes a second or more on a loaded machine. */
export function jsEngine(): { grepEngine: 'js'; grepWorkerPath?: string } {
  return { grepEngine: 'js', grepWorkerPath: fs.existsSync(BUNDLED_WORKER) ? BUNDLED_WORKER : undefined };
}

export type Entry = string | Buffer | { symlink: string } | { fifo: true } | { dir: true };

/** Builds a real directory tree in a fresh temp folder and returns its path. Keys are POSIX paths. */
export function makeTree(spec: Record<string, Entry>, base?: string): string {
  const root = base ?? fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-ws-'));
  for (const [rel, entry] of Object.entries(spec)) {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    if (typeof entry === 'string' || Buffer.isBuffer(entry)) fs.writeFileSync(abs, entry);
    else if ('symlink' in entry) fs.symlinkSync(entry.symlink, abs);
    else if ('fifo' in entry) execFileSync('mkfifo', [abs]);
    else fs.mkdirSync(abs, { recursive: true });
  }
  return root;
}

export function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-ws-'));
}

export function removeTree(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Asserts that `p` rejects with an RlmError whose code is `code` and whose message matches
 *  `message` and never contains a host path. Returns the error. */
export async function rejectsWith(
  p: Promise<unknown>,
  code: string,
  message: RegExp,
  hostPaths: string[] = [os.tmpdir()],
): Promise<Error & { code: string }> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  if (!(err instanceof Error)) throw new Error(`expected a rejection with ${code}, got success`);
  const e = err as Error & { code: string };
  if (e.name !== 'RlmError') throw new Error(`expected RlmError, got ${e.name}: ${e.message}`);
  if (e.code !== code) throw new Error(`expected code ${code}, got ${e.code}: ${e.message}`);
  if (!message.test(e.message)) throw new Error(`message ${JSON.stringify(e.message)} does not match ${message}`);
  for (const h of hostPaths) if (e.message.includes(h)) throw new Error(`message leaks a host path: ${e.message}`);
  return e;
}
