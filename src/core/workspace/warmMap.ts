import { RlmError } from '../errors';
import { ContentCache } from './contentCache';
import { buildContext, patchContext } from './contextMap';
import { languageOf } from './languages';
import { rootNames, scopeOf } from './rootPaths';
import { scanRoots, type FileEntry, type ScannedRoot, type ScanResult } from './scan';
import { scanReadOf, type ScanRead } from './scanReaders';
import type { FileInfo, FileSource, FileStat, ScanOptions, SkippedFile, WorkspaceRoot } from './types';
import { DEFAULT_CACHE_BYTES, Workspace, type FileText } from './workspace';

/** A warm map's options: a scan's, minus what belongs to one run (scope, signal). */
export type WarmOptions = Omit<ScanOptions, 'scope' | 'signal'>;

/** A folder a run is limited to: a root (by index) and a folder relative to it. */
export interface WarmScope {
  root: number;
  folder: string;
}

// Changes that arrive together (a checkout, a save-all) are applied as one batch.
const SETTLE_MS = 25;
// Paths looked at at once while a batch is applied.
const UPDATE_CONCURRENCY = 32;
// Names whose change re-applies the ignore rules (a rescan): nested .gitignore files, and HEAD,
// which can turn a folder into a git directory (skipped whole as a secret).
const RULE_FILES = new Set(['.gitignore', 'HEAD']);
const INFO_EXCLUDE = '.git/info/exclude';

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

/**
 * The workspace map kept between questions: scanned once, then updated from change notices
 * (`touch`) instead of rescanned. A touched path is looked at again (lstat, the ignore and secret
 * rules, one read for size, lines and binary) exactly as the scan would; a new folder is scanned
 * on its own; a change to a `.gitignore`, `.git/info/exclude` or the options rescans everything.
 *
 * Runs never see a map change under them: `lease()` applies what is pending, then hands out a
 * Workspace over a snapshot that stays as it is until released. Changes that arrive meanwhile wait
 * (they are applied when the last lease ends, between questions), unless another run asks for the
 * map first: then the maps are copied before they change. The snapshots share one content cache,
 * which forgets a file as soon as it is touched.
 */
export class WarmMap {
  readonly cache: ContentCache<FileText>;
  /** Undefined until start() has scanned. */
  private state: ScanResult | undefined;
  /** The map's files sorted by path (the context's `files`). */
  private sorted: FileInfo[] = [];
  /** The last snapshot: shares the maps with `state`. */
  private snap: ScanResult | undefined;
  /** Runs holding a snapshot: while any does, timed updates wait, and one a new run needs now
   *  copies the maps before it edits them. */
  private leases = 0;
  private readonly pending = new Map<string, [number, string]>();
  private rescanWanted = false;
  private timer: NodeJS.Timeout | undefined;
  private work: Promise<void> = Promise.resolve();
  private failure: unknown;
  private closed = false;
  private readonly listeners = new Set<() => void>();
  /** Batches applied (and rescans) since the map was built. */
  updates = 0;

  /** Touches may arrive from here on (a watcher set up first misses nothing); start() scans. */
  constructor(
    private readonly roots: WorkspaceRoot[],
    private options: WarmOptions = {},
  ) {
    this.cache = new ContentCache<FileText>(options.cacheBytes ?? DEFAULT_CACHE_BYTES);
  }

  /** Scans the roots once (what arrived meanwhile is applied by the next `workspace()`). */
  async start(signal?: AbortSignal): Promise<void> {
    await this.rescan(signal);
  }

  /** A map scanned and ready. */
  static async build(roots: WorkspaceRoot[], options: WarmOptions = {}, signal?: AbortSignal): Promise<WarmMap> {
    const map = new WarmMap(roots, options);
    await map.start(signal);
    return map;
  }

  /** The options the map was built with (a host compares them to decide on reconfigure). */
  get settings(): WarmOptions {
    return this.options;
  }

  /** Whether a change is waiting to be applied. */
  get stale(): boolean {
    return this.pending.size > 0 || this.rescanWanted;
  }

  /** The roots as the map names them (prefixes, rules): what a watcher needs to turn paths into touches. */
  get scannedRoots(): readonly ScannedRoot[] {
    return this.state?.roots ?? [];
  }

  /** Workspace paths of the folders the map walked (a watcher watches these). */
  get folders(): ReadonlySet<string> {
    return this.state?.dirs ?? new Set();
  }

  /** The mapped files (valid until the next change is applied). */
  files(): Iterable<FileEntry> {
    return this.state?.files.values() ?? [];
  }

  /** Something changed that touches cannot name (a watcher overflowed): everything is scanned again. */
  invalidate(): void {
    this.rescanWanted = true;
    void this.kick(false);
  }

  /** Called after every applied batch or rescan. */
  onUpdate(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** A path of root `root` (root-relative, POSIX) was created, changed or deleted. Cheap: the
   *  file's cached text is dropped now, the map is updated a moment later (or by `workspace()`). */
  touch(root: number, rel: string): void {
    if (this.closed || root < 0 || root >= this.roots.length) return;
    const clean = rel.split('/').filter((s) => s !== '' && s !== '.').join('/');
    if (clean.split('/').includes('..')) return;
    const name = clean.slice(clean.lastIndexOf('/') + 1);
    const prefix = this.state?.roots[root]?.prefix ?? '';
    // A rule file counts only in a folder the map walked (not the .gitignore files of node_modules,
    // nor git's own .git/HEAD).
    const walked = !this.state || this.state.dirs.has(prefix + parentOf(clean));
    if (clean === INFO_EXCLUDE || (RULE_FILES.has(name) && walked)) this.rescanWanted = true;
    else if (clean !== '') this.pending.set(`${root}\u0000${clean}`, [root, clean]);
    this.cache.drop(prefix + clean);
    if (!this.timer) {
      this.timer = setTimeout(() => void this.kick(false), SETTLE_MS);
      this.timer.unref?.();
    }
  }

  /** New options. What the map lists (excludes, allowed secrets, size limit) changed: everything
   *  is scanned again. How texts read (masking, known secrets): the cached texts go. */
  reconfigure(options: WarmOptions): void {
    if (JSON.stringify(options) === JSON.stringify(this.options)) return;
    const listing = (o: WarmOptions) => JSON.stringify([o.excludes ?? [], o.allowSecrets ?? [], o.maxFileBytes]);
    const reading = (o: WarmOptions) => JSON.stringify([o.maskSecrets, o.knownSecrets ?? [], o.allowSecrets ?? [], o.maxFileBytes]);
    if (reading(options) !== reading(this.options)) this.cache.clear();
    const rescan = listing(options) !== listing(this.options);
    this.options = options;
    if (rescan) {
      this.rescanWanted = true;
      void this.kick(false);
    }
  }

  /** Workspace paths of the mapped files as last applied (path order). */
  paths(): string[] {
    return this.sorted.map((f) => f.path);
  }

  /** Files and bytes of the map as last applied (undefined before the first scan). */
  get size(): { files: number; bytes: number } | undefined {
    return this.snap?.context.totals ?? this.state?.context.totals;
  }

  /** Applies every pending change. */
  async settle(): Promise<void> {
    do {
      await this.kick(true);
      if (this.failure !== undefined) {
        const err = this.failure;
        this.failure = undefined;
        this.rescanWanted = true;
        throw err;
      }
    } while (this.stale && !this.closed);
  }

  /** The map as of now, for one run: pending changes applied first; a folder scope filters it.
   *  The Workspace does not change, whatever is touched, until `release()`. */
  async lease(scope?: WarmScope, signal?: AbortSignal): Promise<{ workspace: Workspace; release: () => void }> {
    const workspace = await this.workspace(scope, signal);
    this.leases++;
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      this.leases--;
      if (this.leases === 0 && this.stale && !this.timer && !this.closed) this.timer = setTimeout(() => void this.kick(false), SETTLE_MS);
    };
    return { workspace, release };
  }

  /** Valid until the next change is applied (a run takes a `lease`). */
  private async workspace(scope?: WarmScope, signal?: AbortSignal): Promise<Workspace> {
    if (this.closed) throw new RlmError('the warm workspace map was closed', 'cancelled');
    await this.settle();
    const full = this.snapshot();
    if (!full) throw new RlmError('the workspace map is not scanned yet', 'cancelled');
    if (!scope || scopeOf(scope.folder) === undefined) return new Workspace(full, this.options, this.cache);
    const folder = scopeOf(scope.folder)!;
    const root = full.roots[scope.root];
    if (!root || !full.dirs.has(root.prefix + folder)) {
      // Not a folder the map walked (ignored, say): the scan decides, as it would without a warm map.
      return new Workspace(
        await scanRoots([this.roots[scope.root] ?? this.roots[0]], { ...this.options, scope: folder, signal }),
        this.options,
      );
    }
    // Paths of a multi-root map change (the root's name goes): those texts get their own cache.
    return new Workspace(this.scoped(full, scope.root, folder), this.options, root.prefix === '' ? this.cache : undefined);
  }

  dispose(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.listeners.clear();
    this.cache.clear();
  }

  /** Queues one application of what is pending (`now`: even while a run holds a lease); never
   *  rejects (a failure waits in `failure`). */
  private kick(now: boolean): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.work = this.work
      .then(() => (now || this.leases === 0 ? this.applyPending() : undefined))
      .catch((err: unknown) => {
        this.failure = err;
      });
    return this.work;
  }

  private async rescan(signal?: AbortSignal): Promise<void> {
    const result = await scanRoots(this.roots, { ...this.options, signal });
    this.state = result;
    this.sorted = result.context.files;
    this.snap = result;
  }

  private async applyPending(): Promise<void> {
    if (this.closed || !this.state) return;
    if (this.rescanWanted) {
      this.rescanWanted = false;
      this.pending.clear();
      await this.rescan();
      this.updated();
      return;
    }
    if (this.pending.size === 0) return;
    const batch = [...this.pending.values()];
    this.pending.clear();
    this.own();
    const s = this.state;
    const prev = this.snapshot()!.context;
    this.snap = undefined;
    const targets = this.targets(s, batch);
    const removed = new Map<string, FileInfo>();
    const added: FileInfo[] = [];
    for (let i = 0; i < targets.length; i += UPDATE_CONCURRENCY) {
      await Promise.all(targets.slice(i, i + UPDATE_CONCURRENCY).map(([ri, rel]) => this.update(s, ri, rel, removed, added)));
    }
    const kept = removed.size === 0 ? this.sorted : this.sorted.filter((f) => !removed.has(f.path));
    this.sorted = merge(kept, added.sort(byPath));
    // Built now, between questions, so that the next question finds it ready; only the folders
    // on a changed path are rebuilt.
    const skipped = [...s.skipped.values()].sort(byPath);
    this.snap = { ...s, context: patchContext(prev, [...removed.values()], added, this.sorted, skipped) };
    this.updated();
  }

  private updated(): void {
    this.updates++;
    for (const l of this.listeners) l();
  }

  /** Copies the maps before they change while a run holds a snapshot of them. */
  private own(): void {
    if (this.leases === 0 || !this.state) return;
    const s = this.state;
    this.state = { ...s, files: new Map(s.files), skipped: new Map(s.skipped), dirs: new Set(s.dirs), links: new Map(s.links) };
  }

  private snapshot(): ScanResult | undefined {
    if (!this.snap && this.state) {
      const s = this.state;
      const skipped = [...s.skipped.values()].sort(byPath);
      this.snap = { ...s, context: buildContext(s.roots, this.sorted, skipped, undefined) };
    }
    return this.snap;
  }

  /** What each touched path means for the map: itself when its folder was walked; the first
   *  unwalked folder on its way when that folder is new; nothing inside an ignored or secret folder.
   *  Paths below another target are dropped (the target's update covers them). */
  private targets(s: ScanResult, batch: Array<[number, string]>): Array<[number, string]> {
    const out = new Map<string, [number, string]>();
    for (const [ri, rel] of batch) {
      const prefix = s.roots[ri].prefix;
      let target = rel;
      let dir = parentOf(rel);
      while (!s.dirs.has(prefix + dir)) {
        if (dir === '') break;
        target = dir;
        dir = parentOf(dir);
      }
      // The folder it lies in was never walked, or was skipped whole (a git directory).
      if (!s.dirs.has(prefix + dir) || s.skipped.has(prefix + dir)) continue;
      out.set(`${ri}\u0000${target}`, [ri, target]);
    }
    const list = [...out.values()];
    return list.filter(([ri, rel]) => !list.some(([rj, other]) => rj === ri && other !== rel && rel.startsWith(other + '/')));
  }

  /** Looks at one path again, as the scan would, and records what it found. */
  private async update(s: ScanResult, ri: number, rel: string, removed: Map<string, FileInfo>, added: FileInfo[]): Promise<void> {
    const r = s.roots[ri];
    const path = r.prefix + rel;
    const st: FileStat | undefined = await r.source.lstat(rel).catch(() => undefined);
    if (st?.kind === 'directory' && s.dirs.has(path)) return; // a folder's own change: its entries come on their own
    this.forget(s, path, removed);
    if (!st || r.rules.isIgnored(rel, st.kind === 'directory')) return;
    if (st.kind === 'directory') {
      // Gone again, or unreadable: the next touch of it says which.
      const sub = await scanRoots([{ name: r.name, source: r.source }], { ...this.options, scope: rel }).catch(() => undefined);
      if (sub) this.adopt(s, ri, sub, added);
      return;
    }
    if (r.secrets.isSecret(rel)) s.skipped.set(path, { path, reason: 'secret' });
    else if (st.kind === 'symlink') {
      const real = await r.source.realpath(rel);
      if (real === undefined) s.skipped.set(path, { path, reason: 'symlink-outside' });
      else s.links.set(path, r.prefix + real);
    } else if (st.kind !== 'file') s.skipped.set(path, { path, reason: 'special' });
    else {
      const read = await readForMap(r.source, rel, s.maxFileBytes);
      if (read.kind === 'text') {
        const info: FileInfo = Object.freeze({ path, size: read.size, lines: read.lines, language: languageOf(rel.slice(rel.lastIndexOf('/') + 1)) });
        s.files.set(path, { info, root: ri, rel });
        added.push(info);
      } else if (read.kind === 'special' || read.kind === 'unreadable') s.skipped.set(path, { path, reason: read.kind });
      else s.skipped.set(path, { path, reason: read.kind, size: read.size });
    }
  }

  /** Removes a path, and everything below it, from the map. */
  private forget(s: ScanResult, path: string, removed: Map<string, FileInfo>): void {
    const drop = (k: string) => {
      const old = s.files.get(k);
      if (!old) return;
      s.files.delete(k);
      removed.set(k, old.info);
      this.cache.drop(k);
    };
    drop(path);
    s.skipped.delete(path);
    s.links.delete(path);
    // Only a folder the map walked has entries below it.
    if (!s.dirs.has(path)) return;
    const under = path + '/';
    for (const k of s.files.keys()) if (k.startsWith(under)) drop(k);
    for (const k of s.skipped.keys()) if (k.startsWith(under)) s.skipped.delete(k);
    for (const k of s.links.keys()) if (k.startsWith(under)) s.links.delete(k);
    for (const k of s.dirs) if (k === path || k.startsWith(under)) s.dirs.delete(k);
  }

  /** Takes in the scan of a new folder (scanned as its root alone: paths get the root's prefix). */
  private adopt(s: ScanResult, ri: number, sub: ScanResult, added: FileInfo[]): void {
    const prefix = s.roots[ri].prefix;
    for (const { info, rel } of sub.files.values()) {
      const moved = prefix === '' ? info : Object.freeze({ ...info, path: prefix + info.path });
      s.files.set(moved.path, { info: moved, root: ri, rel });
      added.push(moved);
    }
    for (const sk of sub.skipped.values()) s.skipped.set(prefix + sk.path, { ...sk, path: prefix + sk.path });
    for (const d of sub.dirs) s.dirs.add(prefix + d);
    for (const [link, target] of sub.links) s.links.set(prefix + link, prefix + target);
  }

  /** The full snapshot limited to one folder of one root, named as a scoped scan names it (the
   *  root alone, so without a multi-root prefix). */
  private scoped(full: ScanResult, ri: number, folder: string): ScanResult {
    const r = full.roots[ri];
    const base = r.prefix + folder;
    const under = base + '/';
    const cut = r.prefix.length;
    const root: ScannedRoot = { ...r, name: rootNames([this.roots[ri].name])[0], prefix: '' };
    const files = new Map<string, FileEntry>();
    const list: FileInfo[] = [];
    for (const info of this.sorted) {
      if (!info.path.startsWith(under)) continue;
      const entry = full.files.get(info.path)!;
      const moved = cut === 0 ? info : Object.freeze({ ...info, path: info.path.slice(cut) });
      files.set(moved.path, { info: moved, root: 0, rel: entry.rel });
      list.push(moved);
    }
    const skipped = new Map<string, SkippedFile>();
    for (const sk of full.skipped.values()) {
      if (sk.path.startsWith(under)) skipped.set(sk.path.slice(cut), cut === 0 ? sk : { ...sk, path: sk.path.slice(cut) });
    }
    const dirs = new Set<string>();
    for (const d of full.dirs) if (d === base || d.startsWith(under)) dirs.add(d.slice(cut));
    const links = new Map<string, string>();
    for (const [link, target] of full.links) if (link.startsWith(under)) links.set(link.slice(cut), target.slice(cut));
    const context = buildContext([root], list, [...skipped.values()].sort(byPath), folder);
    return { roots: [root], files, skipped, dirs, links, scope: folder, maxFileBytes: full.maxFileBytes, context };
  }
}

/** What one read of a file tells the map (as the scan's read does). */
async function readForMap(source: FileSource, rel: string, maxFileBytes: number): Promise<ScanRead> {
  let bytes: Uint8Array;
  try {
    bytes = source.readForScanSync ? source.readForScanSync(rel, maxFileBytes + 1) : await source.readFile(rel, maxFileBytes + 1);
  } catch (err) {
    return { kind: err instanceof RlmError && err.code === 'file-special' ? 'special' : 'unreadable' };
  }
  const found = scanReadOf(bytes, maxFileBytes);
  if (found.kind !== 'too-large') return found;
  const st = await source.lstat(rel).catch(() => undefined);
  return { kind: 'too-large', size: Math.max(st?.size ?? 0, found.size) };
}

/** Two path-sorted lists as one. */
function merge(a: readonly FileInfo[], b: readonly FileInfo[]): FileInfo[] {
  if (b.length === 0) return a.slice();
  const out: FileInfo[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = byPath(a[i], b[j]) <= 0 ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}
