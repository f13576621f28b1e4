/**
 * The window's warm map (`rlm.workspace.warmMap`): built by the first question, kept current by
 * file-system watchers (every file of each workspace folder, and `.git/info/exclude`), rebuilt
 * when the folders change, re-scanned when the exclude settings change. Each run leases a snapshot
 * (`WarmMap.lease`) and releases it when it ends.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { WarmMap, WarmOptions, WarmScope } from '../core/workspace/warmMap';
import type { WorkspaceRoot } from '../core/workspace/types';
import type { Workspace } from '../core/workspace/workspace';

type WarmMapClass = typeof WarmMap;

/** Settings whose change alters what the map lists. */
const MAP_SETTINGS = ['files.exclude', 'rlm.excludes', 'rlm.respectFilesExclude', 'rlm.allowSecrets', 'rlm.maskSecrets'];

export class WindowMap implements vscode.Disposable {
  private warm: WarmMap | undefined;
  /** The folders (URIs) the map is of. */
  private key: string | undefined;
  private watchers: vscode.Disposable[] = [];
  /** The first scan, while it runs. */
  private building: Promise<void> | undefined;
  private readonly subscriptions: vscode.Disposable[];

  /** `options`: the map's options as the settings say now (called when they change). */
  constructor(private readonly options: () => WarmOptions | undefined) {
    this.subscriptions = [
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.reset()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('rlm.workspace.warmMap')) this.reset();
        else if (this.warm && MAP_SETTINGS.some((s) => e.affectsConfiguration(s))) {
          const next = this.options();
          if (next) this.warm.reconfigure({ ...next, knownSecrets: this.warm.settings.knownSecrets });
        }
      }),
    ];
  }

  /** Whether a map is built (the next question starts without a scan). */
  get warmNow(): boolean {
    return this.warm !== undefined;
  }

  /** For tests: the mapped paths as last applied, and whether changes wait. */
  state(): { files: string[]; bytes: number; stale: boolean } | undefined {
    return this.warm && !this.building ? { files: this.warm.paths(), bytes: this.warm.size?.bytes ?? 0, stale: this.warm.stale } : undefined;
  }

  /** Files and bytes of the map, once built. */
  get size(): { files: number; bytes: number } | undefined {
    return this.building ? undefined : this.warm?.size;
  }

  /** Builds the map ahead of the question (the question input is open): the question then starts
   *  without a scan, and its cost estimate knows the workspace's size. Errors wait for the run. */
  prewarm(Warm: WarmMapClass, folders: readonly vscode.WorkspaceFolder[], roots: WorkspaceRoot[], options: WarmOptions): Promise<void> {
    const key = folders.map((f) => f.uri.toString()).join('\n');
    if (this.warm && key === this.key) return this.building ?? Promise.resolve();
    return this.open(Warm, folders, roots, options, key, new AbortController().signal).catch(() => undefined);
  }

  /** The workspace for one run, from the warm map (built first if needed); `release` when the run ends. */
  async lease(
    Warm: WarmMapClass,
    folders: readonly vscode.WorkspaceFolder[],
    roots: WorkspaceRoot[],
    options: WarmOptions,
    scope: WarmScope | undefined,
    signal: AbortSignal,
  ): Promise<{ workspace: Workspace; release: () => void }> {
    const key = folders.map((f) => f.uri.toString()).join('\n');
    if (!this.warm || key !== this.key) await this.open(Warm, folders, roots, options, key, signal);
    else {
      // A build started ahead of the question (prewarm) finishes first.
      await this.building;
      if (!this.warm) return this.lease(Warm, folders, roots, options, scope, signal);
      this.warm.reconfigure(options);
    }
    return this.warm!.lease(scope, signal);
  }

  private async open(Warm: WarmMapClass, folders: readonly vscode.WorkspaceFolder[], roots: WorkspaceRoot[], options: WarmOptions, key: string, signal: AbortSignal): Promise<void> {
    this.reset();
    const warm = new Warm(roots, options);
    // Watchers first: a change made while the first scan runs is applied after it.
    this.watch(warm, folders);
    this.warm = warm;
    this.key = key;
    const building = warm.start(signal);
    this.building = building.then(
      () => undefined,
      () => undefined,
    );
    try {
      await building;
    } catch (err) {
      if (this.warm === warm) this.reset();
      throw err;
    } finally {
      if (this.warm === warm) this.building = undefined;
    }
  }

  /** Drops the map and its watchers (the next question scans). */
  reset(): void {
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    this.warm?.dispose();
    this.warm = undefined;
    this.key = undefined;
    this.building = undefined;
  }

  private watch(warm: WarmMap, folders: readonly vscode.WorkspaceFolder[]): void {
    const touchAny = (uri: vscode.Uri) => {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      const i = folder ? folders.findIndex((f) => f.uri.toString() === folder.uri.toString()) : -1;
      const rel = folder ? path.posix.relative(folder.uri.path, uri.path) : '';
      if (i >= 0 && rel && !rel.startsWith('..')) warm.touch(i, rel);
    };
    for (const folder of folders) {
      for (const pattern of ['**/*', '.git/info/exclude']) {
        const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, pattern));
        this.watchers.push(w, w.onDidCreate(touchAny), w.onDidChange(touchAny), w.onDidDelete(touchAny));
      }
    }
    // What VS Code itself saves, creates, deletes or renames is known at once, before the watcher
    // reports it: a question asked right after a save sees the saved file.
    this.watchers.push(
      vscode.workspace.onDidSaveTextDocument((d) => touchAny(d.uri)),
      vscode.workspace.onDidCreateFiles((e) => e.files.forEach(touchAny)),
      vscode.workspace.onDidDeleteFiles((e) => e.files.forEach(touchAny)),
      vscode.workspace.onDidRenameFiles((e) => e.files.forEach((f) => (touchAny(f.oldUri), touchAny(f.newUri)))),
    );
  }

  dispose(): void {
    this.reset();
    for (const s of this.subscriptions) s.dispose();
  }
}
