import { RlmError } from '../errors';
import { ContentCache } from './contentCache';
import { grepWorkspace, type GrepTarget } from './grep';
import { MAX_PATH_CHARS, normalizeModelPath, stripLineSuffix } from './modelPath';
import { NodeFileSource } from './nodeFileSource';
import { isBinary, scanRoots, type FileEntry, type ScanResult } from './scan';
import { Gate } from './taskPool';
import type { ContextMap, GrepOptions, GrepResult, ReadRange, ScanOptions, WorkspaceAccess, WorkspaceRoot } from './types';

export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;
// Searches of one workspace running at once (each is a process); later ones queue.
const GREP_CONCURRENCY = 2;

/** Scans the roots and returns the workspace model code works against. */
export async function scanWorkspace(roots: WorkspaceRoot[], options: ScanOptions = {}): Promise<Workspace> {
  return new Workspace(await scanRoots(roots, options), options);
}

/** A scanned workspace: the frozen `context` map plus the host side of `readFile`, `grep` and
 *  reference checks. Only files listed in the map can ever be read or searched. */
export class Workspace implements WorkspaceAccess {
  readonly context: ContextMap;
  private readonly cache: ContentCache;
  private readonly grepGate = new Gate(GREP_CONCURRENCY);
  private readonly reading = new Map<string, Promise<string>>();
  /** Workspace paths of the files the scan found too large: grep need not read them. */
  private readonly tooLarge: string[];

  constructor(
    private readonly scan: ScanResult,
    private readonly options: ScanOptions = {},
  ) {
    this.context = scan.context;
    this.tooLarge = scan.context.skipped.filter((s) => s.reason === 'too-large').map((s) => s.path);
    this.cache = new ContentCache(options.cacheBytes ?? DEFAULT_CACHE_BYTES);
  }

  hasFile(ref: string): boolean {
    if (typeof ref !== 'string' || ref.length > MAX_PATH_CHARS + 32) return false;
    try {
      return this.scan.files.has(normalizeModelPath(stripLineSuffix(ref)));
    } catch {
      return false;
    }
  }

  async readFile(path: string, range?: ReadRange, signal?: AbortSignal): Promise<string> {
    throwIfCancelled(signal);
    const norm = normalizeModelPath(path);
    const entry = this.scan.files.get(norm);
    if (!entry) throw this.refusal(norm);
    const { start, end } = checkRange(range);
    const text = await this.text(entry);
    throwIfCancelled(signal);
    if (start === undefined && end === undefined) return text;
    return sliceLines(text, norm, start ?? 1, end);
  }

  async grep(pattern: string, options: GrepOptions = {}, signal?: AbortSignal): Promise<GrepResult> {
    return this.grepGate.run(() => this.grepNow(pattern, options, signal), signal);
  }

  private async grepNow(pattern: string, options: GrepOptions, signal?: AbortSignal): Promise<GrepResult> {
    // With a scope only the first root was scanned, and only its scope folder is searched.
    const scope = this.scan.scope;
    const roots = scope === undefined ? this.scan.roots : this.scan.roots.slice(0, 1);
    const targets: GrepTarget[] = roots.map((r) => ({
      prefix: r.prefix,
      localRoot: r.source.localRoot,
      searchPath: scope === undefined ? undefined : scope.slice(r.prefix.length),
      skipFiles: this.tooLarge.filter((p) => p.startsWith(r.prefix)).map((p) => p.slice(r.prefix.length)),
    }));
    return grepWorkspace(pattern, options, {
      targets,
      files: this.scan.files,
      maxFileBytes: this.scan.maxFileBytes,
      readContent: (entry) => this.content(entry),
      localFile: (entry) => {
        const source = this.scan.roots[entry.root].source;
        if (!(source instanceof NodeFileSource) || this.cache.has(entry.info.path)) return undefined;
        return { root: source.localRoot, rel: entry.rel };
      },
      scanOptions: this.options,
      signal,
    });
  }

  /** File text through the cache. Reads of one file at once share one read and one decoding (a
   *  cell that reads a file a thousand times at once would otherwise decode it a thousand times). */
  private text(entry: FileEntry): Promise<string> {
    const cached = this.cache.get(entry.info.path);
    if (cached !== undefined) return Promise.resolve(cached);
    let reading = this.reading.get(entry.info.path);
    if (!reading) {
      reading = this.load(entry).finally(() => this.reading.delete(entry.info.path));
      this.reading.set(entry.info.path, reading);
    }
    return reading;
  }

  private async load(entry: FileEntry): Promise<string> {
    const bytes = await this.checkedBytes(entry);
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    this.cache.set(entry.info.path, text, bytes.length);
    return text;
  }

  /** For the JS grep: the cached text, else the checked bytes (the worker decodes them; a search
   *  over the whole tree would only churn the cache). */
  private async content(entry: FileEntry): Promise<string | Uint8Array> {
    return this.cache.get(entry.info.path) ?? this.checkedBytes(entry);
  }

  /** Bytes of a mapped file, re-checking at read time that it is still the regular file the scan
   *  listed (it may have been swapped for a symlink, grown or turned binary since). */
  private async checkedBytes(entry: FileEntry): Promise<Uint8Array> {
    const root = this.scan.roots[entry.root];
    const real = await root.source.realpath(entry.rel);
    if (real !== entry.rel) {
      const gone = await root.source.lstat(entry.rel).then(() => false, () => true);
      if (gone) throw new RlmError(`not found: ${entry.info.path} (deleted since the scan)`, 'file-not-found');
      throw new RlmError(`refused: ${entry.info.path} is no longer a regular file inside the workspace`, 'path-outside');
    }
    const max = this.scan.maxFileBytes;
    const bytes = await root.source.readFile(entry.rel, max + 1).catch((err: unknown) => {
      if (err instanceof RlmError && err.code !== 'file-unreadable') {
        throw new RlmError(`refused: ${entry.info.path} is not a regular file`, err.code);
      }
      throw new RlmError(`cannot read ${entry.info.path}`, 'file-unreadable');
    });
    if (bytes.length > max) throw new RlmError(`refused: ${entry.info.path} is too large (over ${max} bytes)`, 'file-too-large');
    if (isBinary(bytes)) throw new RlmError(`refused: ${entry.info.path} is a binary file`, 'file-binary');
    return bytes;
  }

  /** Why a path is not readable, as an error that names only workspace paths. */
  private refusal(path: string): RlmError {
    const skipped = this.scan.skipped.get(path);
    if (skipped) {
      switch (skipped.reason) {
        case 'secret':
          return new RlmError(`refused: ${path} is a secret file (allow it in the settings to read it)`, 'file-secret');
        case 'binary':
          return new RlmError(`refused: ${path} is a binary file`, 'file-binary');
        case 'too-large':
          return new RlmError(`refused: ${path} is too large (${skipped.size ?? '?'} bytes; limit ${this.scan.maxFileBytes})`, 'file-too-large');
        case 'special':
          return new RlmError(`refused: ${path} is not a regular file`, 'file-special');
        case 'symlink-outside':
          return new RlmError(`refused: ${path} is a symbolic link that leads outside the workspace`, 'path-outside');
        default:
          return new RlmError(`cannot read ${path}`, 'file-unreadable');
      }
    }
    const target = this.scan.links.get(path);
    if (target !== undefined) {
      return this.scan.files.has(target)
        ? new RlmError(`refused: ${path} is a symbolic link; read ${target} instead`, 'file-symlink')
        : new RlmError(`refused: ${path} is a symbolic link`, 'file-symlink');
    }
    const scope = this.scan.scope;
    if (scope !== undefined && !path.startsWith(scope + '/')) {
      return new RlmError(`refused: ${path} is outside the folder this question is limited to (${scope})`, 'path-outside');
    }
    const located = this.locate(path);
    if (located) {
      const [root, rel] = located;
      if (root.secrets.isSecret(rel)) return new RlmError(`refused: ${path} is a secret file`, 'file-secret');
      if (root.rules.isIgnoredPath(rel)) return new RlmError(`refused: ${path} is ignored (.gitignore or exclude settings)`, 'file-ignored');
    }
    if (this.scan.dirs.has(path)) return new RlmError(`${path} is a folder, not a file`, 'file-not-found');
    return new RlmError(`not found: ${path}`, 'file-not-found');
  }

  private locate(path: string): [ScanResult['roots'][number], string] | undefined {
    for (const r of this.scan.roots) {
      if (r.prefix === '') return [r, path];
      if (path.startsWith(r.prefix)) return [r, path.slice(r.prefix.length)];
    }
    return undefined;
  }
}

/** The calling cell ended: the rest of this read is not wanted. */
function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new RlmError('readFile cancelled: the cell ended', 'cancelled');
}

function checkRange(range: ReadRange | undefined): { start?: number; end?: number } {
  if (range === undefined || range === null) return {};
  if (typeof range !== 'object') throw new RlmError('range must be an object {start, end}', 'range-invalid');
  const { start, end } = range;
  for (const [name, v] of [['start', start], ['end', end]] as const) {
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 1)) {
      throw new RlmError(`range ${name} must be a whole line number of at least 1`, 'range-invalid');
    }
  }
  if (start !== undefined && end !== undefined && start > end) {
    throw new RlmError(`range start (${start}) is after its end (${end})`, 'range-invalid');
  }
  return { start, end };
}

/** Lines start..end (1-based, inclusive; end clamped to the last line), joined with '\n'. */
function sliceLines(text: string, path: string, start: number, end: number | undefined): string {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (start > lines.length) {
    throw new RlmError(`range start (${start}) is past the end of ${path} (${lines.length} lines)`, 'range-invalid');
  }
  return lines.slice(start - 1, Math.min(end ?? lines.length, lines.length)).join('\n');
}
