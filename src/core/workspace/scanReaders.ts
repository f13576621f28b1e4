import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import { bundledScript } from '../bundledScript';

/** What reading one file tells the map. */
export type ScanRead =
  | { kind: 'text'; size: number; lines: number }
  | { kind: 'binary'; size: number }
  | { kind: 'too-large'; size: number }
  | { kind: 'special' }
  | { kind: 'unreadable' };

/** Files per message to a reader thread. */
export const SCAN_BATCH = 256;

// Bytes looked at to tell a binary file (a NUL among them) from text.
const SNIFF_BYTES = 8192;

export function isBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, SNIFF_BYTES).indexOf(0) !== -1;
}

export function countLines(bytes: Uint8Array): number {
  if (bytes.length === 0) return 0;
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let n = 0;
  for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return buf[buf.length - 1] === 10 ? n : n + 1;
}

/** What the first `maxFileBytes + 1` bytes of a file tell the map (too-large: `size` is a lower bound). */
export function scanReadOf(bytes: Uint8Array, maxFileBytes: number): ScanRead {
  if (bytes.length > maxFileBytes) return { kind: 'too-large', size: bytes.length };
  if (isBinary(bytes)) return { kind: 'binary', size: bytes.length };
  return { kind: 'text', size: bytes.length, lines: countLines(bytes) };
}

/** One batch for a reader thread (scanReaderThread.ts): files under `root`, read up to `max` bytes. */
export interface ReaderRequest {
  id: number;
  root: string;
  rels: string[];
  max: number;
}

/** Two numbers per file, so a batch's answer is one transferable buffer. */
export function encodeRead(read: ScanRead, out: Float64Array, k: number): void {
  const [a, b] =
    read.kind === 'text' ? [read.size, read.lines]
    : read.kind === 'binary' ? [-1, read.size]
    : read.kind === 'too-large' ? [-2, read.size]
    : read.kind === 'special' ? [-3, 0]
    : [-4, 0];
  out[2 * k] = a;
  out[2 * k + 1] = b;
}

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
 *  reads (most of a scan's time) run on the other cores, as ripgrep's do. Started on first use.
 *  Each thread runs scanReaderThread.ts (bundled as dist/scanReaderThread.js): the same
 *  NodeFileSource.readForScanSync and scanReadOf as an inline read. */
export class ScanReaders {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, Waiting>();
  private readonly dead = new Set<Worker>();
  private nextId = 0;
  private turn = 0;
  /** Set once close() ran: the scan is over, failed batches need no fallback. */
  closed = false;

  /** `script`: the thread's entry; default the bundled one beside this bundle (see bundledScript). */
  constructor(
    readonly count = defaultScanThreads(),
    private readonly script?: string,
  ) {}

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
      worker.postMessage({ id, root, rels, max } satisfies ReaderRequest);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.values()) w.reject(new Error('scan readers closed'));
    this.waiting.clear();
    await Promise.all(this.workers.map((w) => w.terminate().catch(() => undefined)));
  }

  private start(): void {
    const { script, execArgv } = bundledScript(__dirname, 'scanReaderThread', this.script);
    for (let i = 0; i < this.count; i++) {
      const w = new Worker(script, { execArgv, resourceLimits: { maxOldGenerationSizeMb: 64 } });
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
