import ignore, { type Ignore } from 'ignore';
import type { FileSource } from './types';

/** Folders nobody asks questions about: VCS data, dependencies, build output and caches.
 *  A trailing slash matches directories only (a file named `build` stays). */
export const DEFAULT_EXCLUDES: readonly string[] = [
  '.git',
  '.hg/',
  '.svn/',
  'node_modules/',
  'bower_components/',
  'jspm_packages/',
  'dist/',
  'build/',
  'out/',
  'target/',
  'coverage/',
  '.nyc_output/',
  '.next/',
  '.nuxt/',
  '.svelte-kit/',
  '.turbo/',
  '.parcel-cache/',
  '.cache/',
  '__pycache__/',
  '.pytest_cache/',
  '.mypy_cache/',
  '.ruff_cache/',
  '.venv/',
  'venv/',
  '.tox/',
  '.gradle/',
  '.idea/',
  '.vscode-test/',
  '.terraform/',
  '.DS_Store',
];

const GITIGNORE_MAX_BYTES = 1024 * 1024;
// Git on Linux is case-sensitive; on macOS and Windows it folds case (core.ignorecase).
const FOLD_CASE = process.platform !== 'linux';

/** Gitignore semantics for one root: defaults and user globs (always win), then nested
 *  `.gitignore` files (deepest first, each relative to its own folder), then `.git/info/exclude`. */
export class IgnoreRules {
  private readonly hard: Ignore;
  private readonly byDir = new Map<string, Ignore>();
  private infoExclude: Ignore | undefined;

  constructor(excludes: readonly string[] = []) {
    const user = excludes.filter((p) => typeof p === 'string' && p.trim() !== '');
    this.hard = ignore({ ignorecase: FOLD_CASE }).add([...DEFAULT_EXCLUDES, ...user]);
  }

  /** Reads `.git/info/exclude` of the root, if any. */
  async loadInfoExclude(source: FileSource): Promise<void> {
    const text = await readText(source, '.git/info/exclude');
    if (text !== undefined) this.infoExclude = ignore({ ignorecase: FOLD_CASE }).add(text);
  }

  /** Reads `<dir>/.gitignore`; call before testing entries of `dir`. */
  async loadDir(source: FileSource, dir: string): Promise<void> {
    if (this.byDir.has(dir)) return;
    const text = await readText(source, dir === '' ? '.gitignore' : `${dir}/.gitignore`);
    if (text !== undefined) this.byDir.set(dir, ignore({ ignorecase: FOLD_CASE }).add(text));
  }

  /** Whether a root-relative entry is excluded, given that none of its parent folders is.
   *  A name the matcher cannot take (it throws on a few) counts as excluded. */
  isIgnored(relPath: string, isDir: boolean): boolean {
    try {
      return this.check(relPath, isDir);
    } catch {
      return true;
    }
  }

  private check(relPath: string, isDir: boolean): boolean {
    const probe = isDir ? relPath + '/' : relPath;
    if (this.hard.ignores(probe)) return true;
    // The .gitignore closest to the entry decides first, as in git.
    let dir = parentOf(relPath);
    for (;;) {
      const ig = this.byDir.get(dir);
      if (ig) {
        const r = ig.test(dir === '' ? probe : probe.slice(dir.length + 1));
        if (r.ignored) return true;
        if (r.unignored) return false;
      }
      if (dir === '') break;
      dir = parentOf(dir);
    }
    return this.infoExclude?.ignores(probe) ?? false;
  }

  /** Whether the entry or any folder above it is excluded (for explaining a refusal). */
  isIgnoredPath(relPath: string): boolean {
    const parts = relPath.split('/');
    for (let i = 1; i <= parts.length; i++) {
      if (this.isIgnored(parts.slice(0, i).join('/'), i < parts.length)) return true;
    }
    return false;
  }
}

function parentOf(relPath: string): string {
  const i = relPath.lastIndexOf('/');
  return i < 0 ? '' : relPath.slice(0, i);
}

async function readText(source: FileSource, relPath: string): Promise<string | undefined> {
  try {
    return Buffer.from(await source.readFile(relPath, GITIGNORE_MAX_BYTES)).toString('utf8');
  } catch {
    return undefined;
  }
}
