import { fork, type ChildProcess } from 'node:child_process';
import { RlmError } from '../errors';
import { bundledScript } from '../bundledScript';
import { compareHits, type GrepQuery, type LocalFile, type WorkerFile, type WorkerReply, type WorkerRequest } from './grepTypes';
import type { FileEntry } from './scan';
import type { GrepHit } from './types';

// Bounded batches keep the host's memory flat however big the workspace is.
const BATCH_BYTES = 4 * 1024 * 1024;
const BATCH_FILES = 512;
// Reads in flight while a batch is gathered: enough to keep libuv's threads busy.
const READ_CONCURRENCY = 16;

/** How the JS grep gets at the mapped files (Workspace supplies it). */
export interface GrepJsSource {
  readContent(entry: FileEntry): Promise<string | Uint8Array>;
  localFile(entry: FileEntry): LocalFile | undefined;
  maxFileBytes: number;
  /** Whether the worker masks secrets in the files it reads itself, and the known values. */
  maskSecrets: boolean;
  knownSecrets: readonly string[];
}

/** How one pass of the JS engine runs. */
export interface GrepJsPass {
  /** Hits to keep at most (0: only count). */
  maxHits: number;
  /** Per file: hits to keep at most (the spread's shares). */
  quotas?: Map<string, number>;
  /** Per file: bytes of hits to keep at most. */
  quotaBytes?: Map<string, number>;
  /** No new batch starts past this time (Date.now()); the counts so far are then partial. */
  stopAt?: number;
  /** Bytes of hits to keep at most (default: the reply's cap). */
  maxBytes?: number;
}

export interface GrepJsFound {
  /** In path order. */
  hits: GrepHit[];
  /** Matching lines per file, of every file searched (in path order). */
  counts: Map<string, number>;
  /** Some files were not searched (stopAt passed). */
  partial: boolean;
}

/** Searches `files` with a JS RegExp in a separate, killable process, in batches: cached texts
 *  and files of non-local sources are read by the host (several at a time, the next batch while
 *  the worker searches the last) and sent; files on the local disk the worker reads itself.
 *  Every file is searched (all matches counted); hits are kept up to the pass's caps and come
 *  back in path order; the caller cuts them to maxResults and the byte cap. */
export async function grepJs(q: GrepQuery, files: FileEntry[], source: GrepJsSource, workerPath: string | undefined, pass: GrepJsPass): Promise<GrepJsFound> {
  const { script, execArgv } = bundledScript(__dirname, 'grepWorker', workerPath);
  const child = fork(script, [], {
    execArgv: [...execArgv, '--max-old-space-size=512'],
    // Electron hosts need this to start as Node; nothing else of the host's environment goes along.
    env: { ELECTRON_RUN_AS_NODE: '1' },
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    serialization: 'advanced',
  });
  const worker = new WorkerLink(child, q);
  let next = 0;
  const readBatch = async (): Promise<WorkerFile[]> => {
    const batch: WorkerFile[] = [];
    let size = 0;
    while (next < files.length && size < BATCH_BYTES && batch.length < BATCH_FILES) {
      // Files on the local disk the worker reads itself (with the same checks): the host stays idle.
      const local = source.localFile(files[next]);
      if (local) {
        const p = files[next].info.path;
        batch.push({ path: p, local, quota: pass.quotas?.get(p), quotaBytes: pass.quotaBytes?.get(p) });
        size += files[next++].info.size;
        continue;
      }
      const chunk: FileEntry[] = [];
      while (next < files.length && chunk.length < READ_CONCURRENCY && !source.localFile(files[next])) chunk.push(files[next++]);
      // A file changed or gone since the scan is not searchable, as ripgrep would skip it.
      const contents = await Promise.all(chunk.map((e) => source.readContent(e).catch(() => undefined)));
      chunk.forEach((e, k) => {
        const c = contents[k];
        if (c === undefined) return;
        // A text comes from the cache and is masked already; bytes the worker masks.
        const share = { quota: pass.quotas?.get(e.info.path), quotaBytes: pass.quotaBytes?.get(e.info.path) };
        batch.push(typeof c === 'string' ? { path: e.info.path, text: c, ...share } : { path: e.info.path, bytes: c, ...share });
        size += c.length;
      });
    }
    return batch;
  };
  try {
    const flags = q.ignoreCase ? 'i' : '';
    await worker.call({
      type: 'init',
      pattern: q.pattern,
      flags,
      contextLines: q.contextLines,
      maxHits: pass.maxHits,
      maxBytes: pass.maxBytes ?? q.maxBytes,
      maxFileBytes: source.maxFileBytes,
      mask: source.maskSecrets,
      knownSecrets: source.knownSecrets,
    });
    const hits: GrepHit[] = [];
    const counts = new Map<string, number>();
    let batch = await readBatch();
    let partial = false;
    // The first batch is always searched: a slow start (a busy machine forking the worker) must not
    // leave a small workspace uncounted.
    for (let first = true; batch.length > 0; first = false) {
      if (!first && pass.stopAt !== undefined && Date.now() > pass.stopAt) {
        partial = true;
        break;
      }
      const searched = worker.call({ type: 'batch', files: batch });
      const upcoming = readBatch();
      const found = await searched;
      hits.push(...found.hits);
      for (const [path, n] of found.counts) counts.set(path, n);
      batch = await upcoming;
    }
    return { hits: hits.sort(compareHits), counts, partial };
  } finally {
    worker.dispose();
  }
}

/** One request at a time to the worker, under the grep's kill timer and abort signal. */
class WorkerLink {
  private pending?: { resolve: (found: { hits: GrepHit[]; counts: Array<[string, number]> }) => void; reject: (err: RlmError) => void };
  private failure?: RlmError;
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort = () => this.fail(new RlmError('grep cancelled', 'cancelled'));

  constructor(
    private readonly child: ChildProcess,
    q: GrepQuery,
  ) {
    this.timer = setTimeout(
      () => this.fail(new RlmError(`grep stopped after ${(q.limitMs ?? q.timeoutMs) / 1000} s (the pattern may backtrack too much)`, 'limit-grep-time')),
      q.timeoutMs,
    );
    if (q.signal?.aborted) this.onAbort();
    q.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.signal = q.signal;
    child.on('message', (m: WorkerReply) => {
      const p = this.pending;
      this.pending = undefined;
      if (m.type === 'hits') p?.resolve({ hits: m.hits, counts: m.counts });
      else p?.reject(new RlmError(`grep failed: ${m.message}`, 'grep-failed'));
    });
    child.on('exit', () => this.fail(new RlmError('grep worker process stopped unexpectedly', 'grep-failed')));
    child.on('error', () => this.fail(new RlmError('grep worker process could not start', 'grep-failed')));
  }

  private readonly signal?: AbortSignal;

  call(req: WorkerRequest): Promise<{ hits: GrepHit[]; counts: Array<[string, number]> }> {
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
