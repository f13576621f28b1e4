import { RlmError } from '../errors';
import { TreeSitterStructure } from '../structure/treeSitterStructure';
import type { CodeStructure } from '../structure/types';
import { Semaphore } from '../semaphore';
import { ContentCache } from './contentCache';
import { grepWorkspace, type GrepTarget } from './grep';
import { cutContext, cutLine, type EngineHit } from './grepTypes';
import { LineIndex } from './lineIndex';
import { MAX_PATH_CHARS, normalizeModelPath, stripLineSuffix } from './modelPath';
import { NodeFileSource } from './nodeFileSource';
import { locateInRoots } from './rootPaths';
import { isBinary, scanRoots, type FileEntry, type ScanResult } from './scan';
import { SecretMasker, spansByLine } from './secretMask';
import { isServiceAccountKey } from './secrets';
import type { ContextMap, GrepOptions, GrepResult, ReadRange, ScanOptions, WorkspaceAccess, WorkspaceRoot } from './types';

export const DEFAULT_CACHE_BYTES = 64 * 1024 * 1024;
// Searches of one workspace running at once (each is a process); later ones queue.
const GREP_CONCURRENCY = 2;
// Files whose ripgrep hits are re-checked at once.
const CHECK_CONCURRENCY = 16;

/** A mapped file's text as model code may see it (secrets masked), cached with what range reads
 *  and grep need: its line index (built on first use) and the lines that held a secret. */
export interface FileText {
  text: string;
  index?: LineIndex;
  /** Line -> column ranges of masked secrets in the unmasked line (see spansByLine). */
  secretLines?: Map<number, Array<[number, number]>>;
}

/** Scans the roots and returns the workspace model code works against. */
export async function scanWorkspace(roots: WorkspaceRoot[], options: ScanOptions = {}): Promise<Workspace> {
  return new Workspace(await scanRoots(roots, options), options);
}

/** A scanned workspace: the frozen `context` map plus the host side of `readFile`, `grep` and
 *  reference checks. Only files listed in the map can ever be read or searched. */
export class Workspace implements WorkspaceAccess {
  readonly context: ContextMap;
  private readonly cache: ContentCache<FileText>;
  /** Reads in flight, by path: concurrent reads of one uncached file share one read. */
  private readonly reading = new Map<string, Promise<FileText>>();
  private readonly masker: SecretMasker | undefined;
  private readonly grepSlots = new Semaphore(GREP_CONCURRENCY, () => new RlmError('cancelled while waiting for an earlier search', 'cancelled'));
  /** Workspace paths of the files the scan found too large: grep need not read them. */
  private readonly tooLarge: string[];
  /** outline/enclosing/definitions/references: tree-sitter over this workspace's own reads;
   *  the extension puts its language-server structure in front (src/vscode). */
  structure: CodeStructure;

  /** `cache`: a warm map's cache, shared by the workspaces of its snapshots (it drops changed files). */
  constructor(
    private readonly scan: ScanResult,
    private readonly options: ScanOptions = {},
    cache?: ContentCache<FileText>,
  ) {
    this.context = scan.context;
    this.tooLarge = scan.context.skipped.filter((s) => s.reason === 'too-large').map((s) => s.path);
    this.cache = cache ?? new ContentCache<FileText>(options.cacheBytes ?? DEFAULT_CACHE_BYTES);
    this.masker = options.maskSecrets === false ? undefined : new SecretMasker(options.knownSecrets);
    this.structure = new TreeSitterStructure(this, options.structure, options.structureWorkerPath);
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
    const { start, end, numbered } = checkRange(range);
    const file = await this.text(entry);
    throwIfCancelled(signal);
    if (start === undefined && end === undefined && !numbered) return file.text;
    const index = this.lineIndex(entry, file);
    if ((start ?? 1) > index.lines && !(numbered && index.lines === 0 && start === undefined)) {
      const hint = index.lines === 0 ? 'it is empty' : `ask for lines 1-${index.lines}`;
      throw new RlmError(`range start (${start ?? 1}) is past the end of ${norm} (${index.lines} lines); ${hint}`, 'range-invalid');
    }
    const last = Math.min(end ?? index.lines, index.lines);
    return numbered ? numberedRows(norm, index, start ?? 1, last, end) : index.slice(start ?? 1, last);
  }

  /** The line index of a cached text, built once and counted against the cache. */
  private lineIndex(entry: FileEntry, file: FileText): LineIndex {
    if (!file.index) {
      file.index = new LineIndex(file.text);
      this.cache.grow(entry.info.path, file.index.bytes);
    }
    return file.index;
  }

  async grep(pattern: string, options: GrepOptions = {}, signal?: AbortSignal): Promise<GrepResult> {
    return this.grepSlots.run(() => this.grepNow(pattern, options, signal), signal);
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
        const root = this.scan.roots[entry.root];
        if (!(root.source instanceof NodeFileSource) || this.cache.has(entry.info.path)) return undefined;
        return { root: root.source.localRoot, rel: entry.rel, singleLink: !root.secrets.isAllowed(entry.rel) };
      },
      checkHits: (hits) => this.checkHits(hits),
      maskSecrets: this.masker !== undefined,
      knownSecrets: this.options.knownSecrets ?? [],
      scanOptions: this.options,
      signal,
    });
  }

  /** ripgrep read the files on its own: keep its hits only on files that are still the regular
   *  files the scan mapped (a fresh realpath and lstat, cached or not: never through a symlink
   *  swapped in since, never a hard link not opted in), with their lines served from the text
   *  readFile returns (secrets masked). A hit whose match touches a masked secret is dropped, as
   *  the JS engine, which searches masked text, would not find it. */
  private async checkHits(hits: EngineHit[]): Promise<EngineHit[]> {
    const byFile = new Map<string, EngineHit[]>();
    for (const h of hits) {
      const list = byFile.get(h.path);
      if (list) list.push(h);
      else byFile.set(h.path, [h]);
    }
    const files = [...byFile.keys()];
    const texts = new Map<string, { entry: FileEntry; file: FileText }>();
    for (let i = 0; i < files.length; i += CHECK_CONCURRENCY) {
      await Promise.all(
        files.slice(i, i + CHECK_CONCURRENCY).map(async (path) => {
          const entry = this.scan.files.get(path);
          if (!entry || !(await this.stillMapped(entry))) return;
          const file = await this.text(entry).catch(() => undefined);
          if (file) texts.set(path, { entry, file });
        }),
      );
    }
    const out: EngineHit[] = [];
    for (const [path, list] of byFile) {
      const t = texts.get(path);
      if (!t) continue;
      const index = this.lineIndex(t.entry, t.file);
      const line = (n: number) => index.line(n).replace(/\r$/, '');
      for (const h of list) {
        if (h.line > index.lines) continue;
        const secrets = t.file.secretLines?.get(h.line);
        const onSecret = secrets && h.columns?.some(([a, b]) => secrets.some(([s, e]) => a < e && Math.max(b, a + 1) > s));
        if (onSecret) continue;
        const before: string[] = [];
        for (let n = Math.max(1, h.line - h.before.length); n < h.line; n++) before.push(cutContext(line(n)));
        const after: string[] = [];
        for (let n = h.line + 1; n <= Math.min(index.lines, h.line + h.after.length); n++) after.push(cutContext(line(n)));
        out.push({ path, line: h.line, text: cutLine(line(h.line)), before, after });
      }
    }
    return out;
  }

  /** Whether a mapped file is, right now, still the regular file the scan listed. */
  private async stillMapped(entry: FileEntry): Promise<boolean> {
    const root = this.scan.roots[entry.root];
    try {
      if ((await root.source.realpath(entry.rel)) !== entry.rel) return false;
      const st = await root.source.lstat(entry.rel);
      return st.kind === 'file' && ((st.links ?? 1) <= 1 || root.secrets.isAllowed(entry.rel));
    } catch {
      return false;
    }
  }

  /** File text through the cache (masked, unless masking is off). */
  private async text(entry: FileEntry): Promise<FileText> {
    const key = entry.info.path;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const inFlight = this.reading.get(key);
    if (inFlight) return inFlight;
    const read = this.readText(entry).finally(() => this.reading.delete(key));
    this.reading.set(key, read);
    return read;
  }

  private async readText(entry: FileEntry): Promise<FileText> {
    const epoch = this.cache.epoch;
    const bytes = await this.checkedBytes(entry);
    const raw = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    const root = this.scan.roots[entry.root];
    if (isServiceAccountKey(raw) && !root.secrets.isAllowed(entry.rel)) {
      throw new RlmError(`refused: ${entry.info.path} is a secret file (a service-account key; allow it in the settings to read it)`, 'file-secret');
    }
    let file: FileText = { text: raw };
    if (this.masker) {
      const { text, spans } = this.masker.maskFound(raw, entry.rel);
      file = spans.length === 0 ? { text } : { text, secretLines: spansByLine(raw, spans) };
    }
    // A file dropped while this read ran may have changed under it: serve the text, do not keep it.
    if (this.cache.epoch === epoch) this.cache.set(entry.info.path, file, bytes.length);
    return file;
  }

  /** For the JS grep: the cached (masked) text, else the checked bytes (the worker decodes and
   *  masks them; a search over the whole tree would only churn the cache). */
  private async content(entry: FileEntry): Promise<string | Uint8Array> {
    return this.cache.get(entry.info.path)?.text ?? this.checkedBytes(entry);
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
    const singleLink = !root.secrets.isAllowed(entry.rel);
    const bytes = await root.source.readFile(entry.rel, max + 1, { singleLink }).catch((err: unknown) => {
      if (err instanceof RlmError && err.code === 'file-hardlink') throw hardLinkError(entry.info.path, err.message);
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
    // Inside a folder skipped whole as a secret (a git directory under another name).
    for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
      if (this.scan.skipped.get(path.slice(0, i))?.reason === 'secret') {
        return new RlmError(`refused: ${path} is inside ${path.slice(0, i)}, a git directory (secret)`, 'file-secret');
      }
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
    return locateInRoots(this.scan.roots, path);
  }
}

/** The calling cell ended: the rest of this read is not wanted. */
function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new RlmError('readFile cancelled: the cell ended', 'cancelled');
}

/** Lines `first`..`last` as `"<n>: <text>"` rows (no '\r'), under a row naming the file's true
 *  line count; a last row says so when the rows are not the whole file. Built from the line index,
 *  so it costs the range, not the file. */
function numberedRows(path: string, index: LineIndex, first: number, last: number, asked: number | undefined): string {
  if (index.lines === 0) return `[${path}: empty file, 0 lines]`;
  const whole = first === 1 && last === index.lines;
  const clamped = asked !== undefined && asked > index.lines ? ` (asked up to ${asked}; the file ends at ${index.lines})` : '';
  const rows = [`[${path}: lines ${first}-${last} of ${index.lines}${clamped}]`];
  for (let n = first; n <= last; n++) rows.push(`${n}: ${index.line(n).replace(/\r$/, '')}`);
  if (!whole) rows.push(`[lines ${first}-${last} of ${index.lines}${last < index.lines ? `; more from start: ${last + 1}` : ''}]`);
  return rows.join('\n');
}

function checkRange(range: ReadRange | undefined): { start?: number; end?: number; numbered?: boolean } {
  if (range === undefined || range === null) return {};
  if (typeof range !== 'object') throw new RlmError('range must be an object {start, end}', 'range-invalid');
  const { start, end } = range;
  for (const [name, v] of [['start', start], ['end', end]] as const) {
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 1)) {
      throw new RlmError(`range ${name} must be a whole line number of at least 1`, 'range-invalid');
    }
  }
  if (start !== undefined && end !== undefined && start > end) {
    throw new RlmError(`range start (${start}) is after its end (${end}); give start <= end`, 'range-invalid');
  }
  const { numbered } = range;
  if (numbered !== undefined && typeof numbered !== 'boolean') throw new RlmError('range numbered must be true or false', 'range-invalid');
  return { start, end, numbered };
}

/** The source's hard-link refusal, naming the workspace path. */
function hardLinkError(path: string, message: string): RlmError {
  const links = /has (\d+) hard links/.exec(message)?.[1] ?? 'several';
  return new RlmError(
    `refused: ${path} has ${links} hard links, and another name of the same file may be a secret (list it in the allowed secrets setting to read it)`,
    'file-hardlink',
  );
}
