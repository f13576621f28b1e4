import * as fs from 'node:fs';
import * as path from 'node:path';
import type { WarmMap } from './warmMap';

/**
 * How a MapWatcher learns of changes: `recursive` = one `fs.watch(root, {recursive})` per root
 * (native on macOS and Windows); `folders` = one `fs.watch` per folder the map walked (Linux: Node
 * 20's own recursive mode there watches every file, ignored ones too, and stats each one
 * synchronously at start); `restat` = no watching: `refresh()` compares every mapped file's and
 * folder's size and time with what it saw before (the fallback when the system refuses more
 * watches, ENOSPC / EMFILE).
 */
export type WatchMode = 'recursive' | 'folders' | 'restat';

export function defaultWatchMode(): WatchMode {
  return process.platform === 'linux' ? 'folders' : 'recursive';
}

/** Keeps a WarmMap of local roots current between questions (the CLI's `rlm chat`; VS Code uses
 *  its own file-system watchers). Call `refresh()` before each question, `dispose()` at the end. */
export class MapWatcher {
  private modeNow: WatchMode;
  private readonly watchers = new Map<string, fs.FSWatcher>();
  private readonly subscription: { dispose(): void };
  /** restat mode: path -> "size:mtime" as last seen (files and folders). */
  private stamps: Map<string, string> | undefined;
  private closed = false;

  constructor(
    private readonly warm: WarmMap,
    mode: WatchMode = defaultWatchMode(),
  ) {
    this.modeNow = mode;
    this.subscription = warm.onUpdate(() => this.sync());
    this.sync();
  }

  get mode(): WatchMode {
    return this.modeNow;
  }

  /** Watches open (folders mode: one per walked folder). */
  get watching(): number {
    return this.watchers.size;
  }

  /** Brings the map up to date: in restat mode by looking at every mapped file and folder, else
   *  by applying what the watchers reported. Resolves to the number of paths touched (restat). */
  async refresh(): Promise<number> {
    let touched = 0;
    if (this.modeNow === 'restat') touched = await this.restat();
    await this.warm.settle();
    return touched;
  }

  dispose(): void {
    this.closed = true;
    this.subscription.dispose();
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  private roots(): Array<{ ri: number; prefix: string; local: string }> {
    return this.warm.scannedRoots.flatMap((r, ri) => (r.source.localRoot === undefined ? [] : [{ ri, prefix: r.prefix, local: r.source.localRoot }]));
  }

  /** Opens watches for new folders and closes those of folders gone (folders mode); opens the
   *  root watches (recursive mode); takes fresh stamps (restat mode). */
  private sync(): void {
    if (this.closed) return;
    try {
      if (this.modeNow === 'recursive') {
        for (const r of this.roots()) this.watch(`${r.ri}`, r.local, true, (name) => this.warm.touch(r.ri, name));
      } else if (this.modeNow === 'folders') {
        const wanted = new Set<string>();
        for (const r of this.roots()) {
          for (const dir of this.warm.folders) {
            if (!dir.startsWith(r.prefix)) continue;
            const rel = dir.slice(r.prefix.length);
            const key = `${r.ri}\u0000${rel}`;
            wanted.add(key);
            this.watch(key, path.join(r.local, rel), false, (name) => this.warm.touch(r.ri, rel === '' ? name : `${rel}/${name}`));
          }
          // .git is never walked; its info/exclude is a rule file.
          const info = path.join(r.local, '.git', 'info');
          const key = `${r.ri}\u0000.git/info`;
          if (fs.existsSync(info)) {
            wanted.add(key);
            this.watch(key, info, false, (name) => this.warm.touch(r.ri, `.git/info/${name}`));
          }
        }
        for (const [key, w] of this.watchers) {
          if (!wanted.has(key)) {
            w.close();
            this.watchers.delete(key);
          }
        }
      } else void this.stamp();
    } catch {
      this.fallBack();
    }
  }

  private watch(key: string, abs: string, recursive: boolean, touch: (name: string) => void): void {
    if (this.watchers.has(key)) return;
    let w: fs.FSWatcher;
    try {
      w = fs.watch(abs, { recursive, persistent: false }, (_event, name) => {
        if (typeof name === 'string' && name !== '') touch(name.split(path.sep).join('/'));
        else this.warm.invalidate(); // the system did not say what changed
      });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return; // gone meanwhile: its parent reports it
      throw err;
    }
    w.on('error', () => this.fallBack());
    this.watchers.set(key, w);
  }

  /** The system refused a watch (too many): look at the files instead, from now on. */
  private fallBack(): void {
    if (this.modeNow === 'restat' || this.closed) return;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    this.modeNow = 'restat';
    // What changed before the stamps exist is not known: scan once more.
    this.warm.invalidate();
  }

  private async takeStamps(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const roots = this.roots();
    const stampOf = async (key: string, abs: string) => {
      const st = await fs.promises.lstat(abs).catch(() => undefined);
      out.set(key, st ? `${st.size}:${st.mtimeMs}` : 'gone');
    };
    const jobs: Array<[string, string]> = [];
    for (const r of roots) {
      for (const dir of this.warm.folders) {
        if (dir.startsWith(r.prefix)) jobs.push([`${r.ri}\u0000${dir.slice(r.prefix.length)}/`, path.join(r.local, dir.slice(r.prefix.length))]);
      }
    }
    const local = new Map(roots.map((r) => [r.ri, r.local]));
    for (const e of this.warm.files()) {
      const base = local.get(e.root);
      if (base !== undefined) jobs.push([`${e.root}\u0000${e.rel}`, path.join(base, e.rel)]);
    }
    for (let i = 0; i < jobs.length; i += 64) await Promise.all(jobs.slice(i, i + 64).map(([k, a]) => stampOf(k, a)));
    return out;
  }

  private async stamp(): Promise<void> {
    this.stamps = await this.takeStamps().catch(() => undefined);
  }

  /** Touches every mapped file whose size or time changed, and every entry of a folder whose
   *  time changed (an entry was added, removed or renamed there). */
  private async restat(): Promise<number> {
    const before = this.stamps ?? new Map<string, string>();
    const now = await this.takeStamps();
    let touched = 0;
    for (const [key, stamp] of now) {
      if (before.get(key) === stamp) continue;
      const [ri, rel] = key.split('\u0000');
      const root = Number(ri);
      if (!rel.endsWith('/')) {
        this.warm.touch(root, rel);
        touched++;
        continue;
      }
      const dir = rel.slice(0, -1);
      const local = this.roots().find((r) => r.ri === root)?.local;
      const names = local === undefined ? [] : await fs.promises.readdir(path.join(local, dir)).catch(() => [] as string[]);
      // New entries, and the mapped ones under it (a deleted file is touched as gone).
      for (const name of names) this.warm.touch(root, dir === '' ? name : `${dir}/${name}`);
      touched += names.length;
    }
    // A mapped file that vanished has a 'gone' stamp above. Stamps are taken again after the update.
    await this.warm.settle();
    this.stamps = await this.takeStamps();
    return touched;
  }
}
