import * as os from 'node:os';
import { Worker } from 'node:worker_threads';

/** What reading one file tells the map. */
export type ScanRead =
  | { kind: 'text'; size: number; lines: number }
  | { kind: 'binary'; size: number }
  | { kind: 'too-large'; size: number }
  | { kind: 'special' }
  | { kind: 'unreadable' };

/** Files per message to a reader thread. */
export const SCAN_BATCH = 256;

// The reader threads do what NodeFileSource.readForScanSync does (regular files only, O_NOFOLLOW,
// O_NONBLOCK so a FIFO never blocks, capped) and answer with two numbers per file. Inline source:
// nothing to bundle or locate, and no untrusted input runs here (paths come from our own walk).
const READER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK || 0) | (fs.constants.O_NOFOLLOW || 0);
let scratch = Buffer.allocUnsafe(1 << 16);
function readOne(abs, max, out, k) {
  let fd = -1;
  try {
    fd = fs.openSync(abs, FLAGS);
    const st = fs.fstatSync(fd);
    if (!st.isFile()) return void (out[2 * k] = -3);
    const want = Math.min(st.size, max);
    if (scratch.length < want) scratch = Buffer.allocUnsafe(Math.max(want, scratch.length * 2));
    let got = 0;
    while (got < want) {
      const n = fs.readSync(fd, scratch, got, want - got, got);
      if (n === 0) break;
      got += n;
    }
    if (got >= max) return void ((out[2 * k] = -2), (out[2 * k + 1] = Math.max(st.size, got)));
    if (scratch.subarray(0, Math.min(got, 8192)).indexOf(0) !== -1) return void ((out[2 * k] = -1), (out[2 * k + 1] = got));
    const view = scratch.subarray(0, got);
    let lines = 0;
    for (let i = view.indexOf(10); i !== -1; i = view.indexOf(10, i + 1)) lines++;
    if (got > 0 && view[got - 1] !== 10) lines++;
    out[2 * k] = got;
    out[2 * k + 1] = lines;
  } catch (err) {
    out[2 * k] = err && err.code === 'ELOOP' ? -3 : -4;
  } finally {
    if (fd >= 0) try { fs.closeSync(fd); } catch {}
  }
}
parentPort.on('message', (m) => {
  const out = new Float64Array(m.rels.length * 2);
  for (let k = 0; k < m.rels.length; k++) readOne(path.join(m.root, m.rels[k]), m.max, out, k);
  parentPort.postMessage({ id: m.id, out }, [out.buffer]);
});
`;

export function decodeRead(out: Float64Array, k: number): ScanRead {
  const a = out[2 * k];
  const b = out[2 * k + 1];
  if (a >= 0) return { kind: 'text', size: a, lines: b };
  if (a === -1) return { kind: 'binary', size: b };
  if (a === -2) return { kind: 'too-large', size: b };
  if (a === -3) return { kind: 'special' };
  return { kind: 'unreadable' };
}

/** One thread per core but one (the walk's), at most 4; none on a single core. On 2 cores one
 *  reader beside the walk cut a 10,000-file scan from ~210 to ~170 ms and a 100,000-file scan
 *  from ~1.6 to ~1.0 s on a quiet machine; with other processes busy on both cores the gain was lost. */
export function defaultScanThreads(): number {
  const cores = os.availableParallelism?.() ?? os.cpus().length;
  return cores >= 2 ? Math.min(4, cores - 1) : 0;
}

interface Waiting {
  resolve: (out: Float64Array) => void;
  reject: (err: Error) => void;
  worker: Worker;
}

/** Reader threads for a local-disk scan: the walk stays on the calling thread, the opens and
 *  reads (most of a scan's time) run on the other cores, as ripgrep's do. Started on first use. */
export class ScanReaders {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, Waiting>();
  private readonly dead = new Set<Worker>();
  private nextId = 0;
  private turn = 0;
  /** Set once close() ran: the scan is over, failed batches need no fallback. */
  closed = false;

  constructor(readonly count = defaultScanThreads()) {}

  get started(): boolean {
    return this.workers.length > 0;
  }

  /** Reads `rels` (root-relative) under `root`: two numbers per file, see decodeRead. */
  read(root: string, rels: string[], max: number): Promise<Float64Array> {
    if (this.closed || this.count < 1) return Promise.reject(new Error('scan readers closed'));
    if (!this.started) this.start();
    const live = this.workers.filter((w) => !this.dead.has(w));
    if (live.length === 0) return Promise.reject(new Error('no reader thread'));
    const worker = live[this.turn++ % live.length];
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, worker });
      worker.postMessage({ id, root, rels, max });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.values()) w.reject(new Error('scan readers closed'));
    this.waiting.clear();
    await Promise.all(this.workers.map((w) => w.terminate().catch(() => undefined)));
  }

  private start(): void {
    for (let i = 0; i < this.count; i++) {
      const w = new Worker(READER_SOURCE, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 64 } });
      w.on('message', (m: { id: number; out: Float64Array }) => {
        const entry = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        entry?.resolve(m.out);
      });
      // A reader that dies fails its batches; the scan reads those files itself.
      const fail = () => {
        this.dead.add(w);
        for (const [id, entry] of this.waiting) {
          if (entry.worker === w) {
            this.waiting.delete(id);
            entry.reject(new Error('reader thread stopped'));
          }
        }
      };
      w.on('error', fail);
      w.on('exit', fail);
      this.workers.push(w);
    }
  }
}
