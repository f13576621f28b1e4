import { RlmError } from '../errors';
import { buildContext } from './contextMap';
import { IgnoreRules } from './ignoreRules';
import { languageOf } from './languages';
import { NodeFileSource } from './nodeFileSource';
import { rootNames, rootPrefixes, scopeOf } from './rootPaths';
import { isGitDir, SecretRules } from './secrets';
import { decodeRead, SCAN_BATCH, ScanReaders, scanReadOf, type ScanRead } from './scanReaders';

export { countLines, isBinary } from './scanReaders';
import { TaskPool } from './taskPool';
import type { ContextMap, DirEntry, FileInfo, FileSource, ScanOptions, SkipReason, SkippedFile, WorkspaceRoot } from './types';

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
// Enough to keep libuv's four threads busy without piling up open descriptors.
const SCAN_CONCURRENCY = 32;
// Longest the synchronous scan holds the event loop at a time.
const SLICE_MS = 10;
// A single synchronous call slower than this switches the scan of that root to async calls.
const SLOW_CALL_MS = 50;

/** One root as the scan saw it. `prefix` is '' for a single root, else `name/`. */
export interface ScannedRoot {
  name: string;
  source: FileSource;
  prefix: string;
  rules: IgnoreRules;
  secrets: SecretRules;
}

export interface FileEntry {
  info: FileInfo;
  root: number;
  /** Root-relative path, as the FileSource knows it. */
  rel: string;
}

export interface ScanResult {
  roots: ScannedRoot[];
  /** Scanned roots only (with a scope: the first root). */
  files: Map<string, FileEntry>;
  skipped: Map<string, SkippedFile>;
  /** Workspace paths of the folders walked. */
  dirs: Set<string>;
  /** Symlinks inside the workspace: link path -> workspace path of its target. */
  links: Map<string, string>;
  /** Workspace path of the scope folder, when scoped. */
  scope?: string;
  maxFileBytes: number;
  context: ContextMap;
}

/** Walks every root with lstat semantics (symlinks are never followed) and lists what model
 *  code may read, reading each file once to sniff binaries and count lines. */
export async function scanRoots(rootsIn: WorkspaceRoot[], options: ScanOptions = {}): Promise<ScanResult> {
  if (rootsIn.length === 0) throw new RlmError('no workspace folder to scan', 'workspace-empty');
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const names = rootNames(rootsIn.map((r) => r.name));
  const prefixes = rootPrefixes(names);
  const roots: ScannedRoot[] = rootsIn.map((r, i) => ({
    name: names[i],
    source: r.source,
    prefix: prefixes[i],
    rules: new IgnoreRules(options.excludes),
    secrets: new SecretRules(options.allowSecrets),
  }));

  const scopeRel = scopeOf(options.scope);
  if (scopeRel !== undefined) await checkScope(roots[0].source, scopeRel);

  const files: FileInfo[] = [];
  const entries = new Map<string, FileEntry>();
  const skipped = new Map<string, SkippedFile>();
  const dirs = new Set<string>();
  const links: Array<{ root: number; rel: string }> = [];
  const pool = new TaskPool(SCAN_CONCURRENCY, options.signal);
  const readers = new ScanReaders(options.scanThreads);
  const skip = (path: string, reason: SkipReason, size?: number): void => {
    skipped.set(path, size === undefined ? { path, reason } : { path, reason, size });
  };

  const recordRead = (ri: number, rel: string, read: ScanRead): void => {
    const r = roots[ri];
    const path = r.prefix + rel;
    if (read.kind === 'text') {
      const info: FileInfo = Object.freeze({
        path,
        size: read.size,
        lines: read.lines,
        language: languageOf(rel.slice(rel.lastIndexOf('/') + 1)),
      });
      files.push(info);
      entries.set(path, { info, root: ri, rel });
    } else if (read.kind === 'special' || read.kind === 'unreadable') skip(path, read.kind);
    else skip(path, read.kind, read.size);
  };

  // What one read of a file's bytes tells the map; async only for the rare too-large case.
  const record = (ri: number, rel: string, read: () => Uint8Array | RlmError): Promise<void> | undefined => {
    const bytes = read();
    if (bytes instanceof RlmError) return void recordRead(ri, rel, { kind: bytes.code === 'file-special' ? 'special' : 'unreadable' });
    const found = scanReadOf(bytes, maxFileBytes);
    if (found.kind === 'too-large') {
      return roots[ri].source.lstat(rel).then(
        (s) => recordRead(ri, rel, { kind: 'too-large', size: Math.max(s.size, found.size) }),
        () => recordRead(ri, rel, found),
      );
    }
    recordRead(ri, rel, found);
    return undefined;
  };
  const asError = (err: unknown) => (err instanceof RlmError ? err : new RlmError('cannot read', 'file-unreadable'));

  /** Sorts one directory's entries: returns sub-folders and files to visit, records the rest. */
  const classify = async (ri: number, dir: string, list: DirEntry[], subdirs: string[], toRead: string[]) => {
    const r = roots[ri];
    // A git directory under any name (a bare repository, say): its config holds remote URLs with
    // tokens, the rest is objects and refs. Skipped whole as one secret, never walked.
    if (list.some((e) => e.name === 'HEAD') && isGitDir(new Set(list.map((e) => e.name)))) {
      skip(r.prefix + dir, 'secret');
      return;
    }
    if (list.some((e) => e.name === '.gitignore' && e.kind === 'file')) await r.rules.loadDir(r.source, dir);
    for (const e of list) {
      const rel = dir === '' ? e.name : `${dir}/${e.name}`;
      if (e.kind === 'directory') {
        if (!r.rules.isIgnored(rel, true)) subdirs.push(rel);
      } else if (!r.rules.isIgnored(rel, false)) {
        if (r.secrets.isSecret(rel)) skip(r.prefix + rel, 'secret');
        else if (e.kind === 'file') toRead.push(rel);
        else if (e.kind === 'symlink') links.push({ root: ri, rel });
        else skip(r.prefix + rel, 'special');
      }
    }
  };

  // Any FileSource: async calls, bounded concurrency.
  const walkAsync = async (ri: number, dir: string): Promise<void> => {
    const r = roots[ri];
    dirs.add(r.prefix + dir);
    let list: DirEntry[];
    try {
      list = await r.source.readDir(dir);
    } catch {
      if (dir !== '') skip(r.prefix + dir, 'unreadable');
      return;
    }
    const subdirs: string[] = [];
    const toRead: string[] = [];
    await classify(ri, dir, list, subdirs, toRead);
    for (const d of subdirs) pool.add(() => walkAsync(ri, d));
    for (const rel of toRead) readAsync(ri, rel);
  };
  const readAsync = (ri: number, rel: string) =>
    pool.add(async () => {
      const bytes = await roots[ri].source.readFile(rel, maxFileBytes + 1).catch(asError);
      await record(ri, rel, () => bytes);
    });

  // Local disks: the walk runs synchronously in slices of a few ms, yielding to the event loop in
  // between; file reads go to reader threads in batches (or, for a small tree, inline).
  const walkSync = async (ri: number, start: string): Promise<void> => {
    const r = roots[ri];
    const src = r.source as Required<Pick<FileSource, 'readDirSync' | 'readForScanSync'>>;
    // Reader threads open files by absolute path: only for our own Node source, whose walk this is.
    const localRoot = r.source instanceof NodeFileSource && readers.count > 0 ? r.source.localRoot : undefined;
    const slicer = new Slicer(options.signal);
    const inflight: Array<Promise<void>> = [];
    // One blocking call far longer than a slice means slow storage (a network mount, a waking
    // disk): the rest of this root goes through the async calls, off the event loop.
    let slowDisk = false;
    const timedSync = <T>(op: () => T): T => {
      const t0 = performance.now();
      try {
        return op();
      } finally {
        if (performance.now() - t0 > SLOW_CALL_MS) slowDisk = true;
      }
    };
    const readInline = async (rels: string[]) => {
      for (let k = 0; k < rels.length; k++) {
        if (slowDisk) {
          for (const rel of rels.slice(k)) readAsync(ri, rel);
          return;
        }
        const rel = rels[k];
        const pending = record(ri, rel, () => {
          try {
            return timedSync(() => src.readForScanSync(rel, maxFileBytes + 1));
          } catch (err) {
            return asError(err);
          }
        });
        if (pending) await pending;
        if (slicer.due()) await slicer.pause();
      }
    };
    const readInThreads = (rels: string[]) => {
      const done = readers.read(localRoot!, rels, maxFileBytes + 1).then(
        (out) => rels.forEach((rel, k) => recordRead(ri, rel, decodeRead(out, k))),
        // A reader thread died: read its batch here, unless the scan itself is over.
        () => (readers.closed ? undefined : readInline(rels)),
      );
      done.catch(() => undefined); // awaited below; never an unhandled rejection if the walk throws first
      inflight.push(done);
    };
    let batch: string[] = [];
    const stack = [start];
    while (stack.length > 0) {
      if (options.signal?.aborted) throw new RlmError('workspace scan cancelled', 'cancelled');
      if (slowDisk) {
        for (const d of stack.splice(0)) pool.add(() => walkAsync(ri, d));
        break;
      }
      const dir = stack.pop()!;
      dirs.add(r.prefix + dir);
      let list: DirEntry[];
      try {
        list = timedSync(() => src.readDirSync(dir));
      } catch {
        if (dir !== '') skip(r.prefix + dir, 'unreadable');
        continue;
      }
      await classify(ri, dir, list, stack, batch);
      if (batch.length >= SCAN_BATCH) {
        if (localRoot !== undefined) readInThreads(batch);
        else await readInline(batch);
        batch = [];
      }
      if (slicer.due()) await slicer.pause();
    }
    // A small tree (or the tail of a big one) is read inline: no thread is started for it.
    if (batch.length > 0) {
      if (readers.started) readInThreads(batch);
      else await readInline(batch);
    }
    await Promise.all(inflight);
  };

  const scanned = scopeRel === undefined ? roots.map((_, i) => i) : [0];
  try {
    for (const ri of scanned) {
      const r = roots[ri];
      await r.rules.loadInfoExclude(r.source);
      if (scopeRel !== undefined) {
        // .gitignore files above the scope still apply inside it.
        const parts = scopeRel.split('/');
        for (let i = 0; i < parts.length; i++) await r.rules.loadDir(r.source, parts.slice(0, i).join('/'));
      }
      if (r.source.readDirSync && r.source.readForScanSync) await walkSync(ri, scopeRel ?? '');
      else pool.add(() => walkAsync(ri, scopeRel ?? ''));
    }
    await pool.drain();
  } finally {
    await readers.close();
  }

  // A symlink is never followed: one pointing inside names a file or folder the walk lists under
  // its real path (once), one pointing outside (or nowhere) is listed as skipped.
  const linkTargets = new Map<string, string>();
  for (const link of links) {
    const r = roots[link.root];
    const real = await r.source.realpath(link.rel);
    if (real === undefined) skip(r.prefix + link.rel, 'symlink-outside');
    else linkTargets.set(r.prefix + link.rel, r.prefix + real);
  }
  if (options.signal?.aborted) throw new RlmError('workspace scan cancelled', 'cancelled');

  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const skippedList = [...skipped.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const scope = scopeRel === undefined ? undefined : roots[0].prefix + scopeRel;
  const context = buildContext(roots, files, skippedList, scope);
  return { roots, files: entries, skipped, dirs, links: linkTargets, scope, maxFileBytes, context };
}

/** Tells a synchronous loop when its time slice is used up, and yields to the event loop. */
class Slicer {
  private started = performance.now();
  constructor(private readonly signal?: AbortSignal) {}

  due(): boolean {
    return performance.now() - this.started > SLICE_MS;
  }

  async pause(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.signal?.aborted) throw new RlmError('workspace scan cancelled', 'cancelled');
    this.started = performance.now();
  }
}

async function checkScope(source: FileSource, scopeRel: string): Promise<void> {
  const st = await source.lstat(scopeRel).catch(() => undefined);
  const real = await source.realpath(scopeRel);
  if (!st || st.kind !== 'directory' || real !== scopeRel) {
    throw new RlmError(`scope is not a folder of the workspace: ${scopeRel}`, 'scope-invalid');
  }
}
