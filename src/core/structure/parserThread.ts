import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { bundledScript } from '../bundledScript';
import { RlmError } from '../errors';
import { Semaphore } from '../semaphore';
import type { ParseReply, ParseRequest } from './structureTypes';

// The parser thread's own deadline cuts a call; this grace is for a parse that does not return
// (a grammar stuck in WASM): then the thread is terminated and the next call starts a fresh one.
const KILL_GRACE_MS = 2_000;
// An idle thread ends after this (a workspace has no dispose; the next call starts a fresh one).
const IDLE_MS = 30_000;

/** The folder of the grammar .wasm files: dist/tree-sitter/ beside the bundle (esbuild.mjs copies
 *  them there), else (running from source) the package's own folder in node_modules. */
export function wasmDir(): string {
  const bundled = path.join(__dirname, 'tree-sitter');
  if (fs.existsSync(path.join(bundled, 'tree-sitter.wasm'))) return bundled;
  return path.join(path.dirname(createRequire(__filename).resolve('@vscode/tree-sitter-wasm/package.json')), 'wasm');
}

// Omit of each member of the union (a plain Omit would merge them).
type Job = ParseRequest extends infer R ? (R extends ParseRequest ? Omit<R, 'id' | 'deadline'> : never) : never;
type Done = Extract<ParseReply, { ok: true }>;

/** One tree-sitter thread, started on first use, one request at a time; never the host's main
 *  thread. A call that overruns its time limit (plus a grace) terminates the thread. */
export class ParserThread {
  private worker: Worker | undefined;
  private nextId = 1;
  private pending: { id: number; resolve: (r: ParseReply) => void; reject: (e: Error) => void } | undefined;
  private readonly turn = new Semaphore(1, () => new RlmError('cancelled while waiting for an earlier parse', 'cancelled'));

  constructor(private readonly script?: string) {}

  private idle: NodeJS.Timeout | undefined;

  async run(job: Job, timeoutMs: number, signal?: AbortSignal): Promise<Done> {
    return this.turn.run(async () => {
      clearTimeout(this.idle);
      try {
        return await this.runNow(job, timeoutMs, signal);
      } finally {
        this.idle = setTimeout(() => this.stop(), IDLE_MS).unref();
      }
    }, signal);
  }

  private runNow(job: Job, timeoutMs: number, signal?: AbortSignal): Promise<Done> {
    const worker = this.start();
    // Held while a request is out; an idle thread never keeps the process (the CLI) alive.
    worker.ref();
    const id = this.nextId++;
    const req = { ...job, id, deadline: Date.now() + timeoutMs } as ParseRequest;
    return new Promise<Done>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.stop();
        reject(new RlmError(`parsing took longer than ${Math.round((timeoutMs + KILL_GRACE_MS) / 1000)} s and was stopped; ask about fewer files (a narrower glob or path)`, 'structure-timeout'));
      }, timeoutMs + KILL_GRACE_MS);
      const onAbort = () => {
        this.stop();
        reject(new RlmError('parse cancelled: the cell ended', 'cancelled'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.pending = undefined;
        worker.unref();
      };
      this.pending = {
        id,
        resolve: (r) => {
          settle();
          if (r.ok) resolve(r);
          else reject(new RlmError(`parse failed: ${r.message.slice(0, 300)}`, 'structure-failed'));
        },
        reject: (e) => {
          settle();
          reject(e);
        },
      };
      worker.postMessage(req);
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const { script, execArgv } = bundledScript(__dirname, 'structureWorker', this.script);
    const w = new Worker(script, { execArgv, workerData: { wasmDir: wasmDir() }, resourceLimits: { maxOldGenerationSizeMb: 512 } });
    w.on('message', (r: ParseReply) => {
      if (this.pending && r && r.id === this.pending.id) this.pending.resolve(r);
    });
    const died = (why: string) => {
      if (this.worker === w) this.worker = undefined;
      this.pending?.reject(new RlmError(`the parser thread stopped (${why}); try again with fewer or smaller files`, 'structure-failed'));
    };
    w.on('error', () => died('error'));
    w.on('exit', (code) => died(`exit ${code}`));
    this.worker = w;
    return w;
  }

  private stop(): void {
    const w = this.worker;
    this.worker = undefined;
    void w?.terminate();
  }

  dispose(): void {
    clearTimeout(this.idle);
    this.stop();
  }
}
