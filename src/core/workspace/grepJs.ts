import { fork, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { RlmError } from '../errors';
import { compareHits, type GrepQuery, type WorkerReply, type WorkerRequest } from './grepTypes';
import type { FileEntry } from './scan';
import type { GrepHit, GrepResult } from './types';

// Bounded batches keep the host's memory flat however big the workspace is.
const BATCH_CHARS = 4 * 1024 * 1024;
const BATCH_FILES = 512;

/** Script and Node flags of the worker: the bundled `grepWorker.js`, or (running from source,
 *  e.g. under mocha) `grepWorker.ts` through tsx. */
export function resolveWorker(scriptPath?: string): { script: string; execArgv: string[] } {
  if (scriptPath) return { script: scriptPath, execArgv: scriptPath.endsWith('.ts') ? tsxArgs() : [] };
  const js = path.join(__dirname, 'grepWorker.js');
  if (fs.existsSync(js)) return { script: js, execArgv: [] };
  return { script: path.join(__dirname, 'grepWorker.ts'), execArgv: tsxArgs() };
}

function tsxArgs(): string[] {
  return ['--require', createRequire(__filename).resolve('tsx/cjs')];
}

/** Searches `files` with a JS RegExp in a separate, killable process. The host reads the texts
 *  (through the cache) and streams them over in batches. */
export async function grepJs(
  q: GrepQuery,
  files: FileEntry[],
  readText: (entry: FileEntry) => Promise<string>,
  workerPath?: string,
): Promise<GrepResult> {
  const { script, execArgv } = resolveWorker(workerPath);
  const child = fork(script, [], {
    execArgv: [...execArgv, '--max-old-space-size=512'],
    // Electron hosts need this to start as Node; nothing else of the host's environment goes along.
    env: { ELECTRON_RUN_AS_NODE: '1' },
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    serialization: 'advanced',
  });
  const worker = new WorkerLink(child, q);
  try {
    const flags = q.ignoreCase ? 'i' : '';
    await worker.call({ type: 'init', pattern: q.pattern, flags, contextLines: q.contextLines, maxHits: q.maxResults + 1 });
    const hits: GrepHit[] = [];
    let batch: Array<{ path: string; text: string }> = [];
    let chars = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      hits.push(...(await worker.call({ type: 'batch', files: batch })));
      batch = [];
      chars = 0;
    };
    for (const entry of files) {
      if (hits.length > q.maxResults) break;
      let text: string;
      try {
        text = await readText(entry);
      } catch {
        continue; // changed or vanished since the scan: not searchable, like rg skipping it
      }
      batch.push({ path: entry.info.path, text });
      chars += text.length;
      if (chars >= BATCH_CHARS || batch.length >= BATCH_FILES) await flush();
    }
    if (hits.length <= q.maxResults) await flush();
    hits.sort(compareHits);
    return { hits: hits.slice(0, q.maxResults), truncated: hits.length > q.maxResults };
  } finally {
    worker.dispose();
  }
}

/** One request at a time to the worker, under the grep's kill timer and abort signal. */
class WorkerLink {
  private pending?: { resolve: (hits: GrepHit[]) => void; reject: (err: RlmError) => void };
  private failure?: RlmError;
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort = () => this.fail(new RlmError('grep cancelled', 'cancelled'));

  constructor(
    private readonly child: ChildProcess,
    q: GrepQuery,
  ) {
    this.timer = setTimeout(
      () => this.fail(new RlmError(`grep stopped after ${q.timeoutMs / 1000} s (the pattern may backtrack too much)`, 'limit-grep-time')),
      q.timeoutMs,
    );
    if (q.signal?.aborted) this.onAbort();
    q.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.signal = q.signal;
    child.on('message', (m: WorkerReply) => {
      const p = this.pending;
      this.pending = undefined;
      if (m.type === 'hits') p?.resolve(m.hits);
      else p?.reject(new RlmError(`grep failed: ${m.message}`, 'grep-failed'));
    });
    child.on('exit', () => this.fail(new RlmError('grep worker process stopped unexpectedly', 'grep-failed')));
    child.on('error', () => this.fail(new RlmError('grep worker process could not start', 'grep-failed')));
  }

  private readonly signal?: AbortSignal;

  call(req: WorkerRequest): Promise<GrepHit[]> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.child.send(req, (err) => {
        if (err) this.fail(new RlmError('grep worker process stopped unexpectedly', 'grep-failed'));
      });
    });
  }

  private fail(err: RlmError): void {
    this.failure ??= err;
    this.child.kill('SIGKILL');
    const p = this.pending;
    this.pending = undefined;
    p?.reject(this.failure);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
    this.failure ??= new RlmError('grep finished', 'grep-done');
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}
