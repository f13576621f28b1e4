/** How workspace paths name roots and scopes: the scan builds its map with these, and the checks
 *  that have no scan (a run reopened from history: NameRules) resolve paths with the same ones. */
import { normalizeModelPath } from './modelPath';

/** The name of each root in workspace paths: the folder's name, made path-safe and unique. */
export function rootNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.map((raw, i) => {
    const base = raw.replace(/[/\\:\u0000-\u001f]/g, '_').trim() || `root${i + 1}`;
    let name = base;
    for (let n = 2; seen.has(name); n++) name = `${base}-${n}`;
    seen.add(name);
    return name;
  });
}

/** Each root's path prefix: '' for a single root, else `name/`. */
export function rootPrefixes(names: readonly string[]): string[] {
  const unique = rootNames(names);
  return unique.map((n) => (unique.length > 1 ? `${n}/` : ''));
}

/** The root a workspace path lies in (by prefix) and the path relative to that root. */
export function locateInRoots<R extends { prefix: string }>(roots: readonly R[], path: string): [R, string] | undefined {
  for (const r of roots) {
    if (r.prefix === '') return [r, path];
    if (path.startsWith(r.prefix)) return [r, path.slice(r.prefix.length)];
  }
  return undefined;
}

/** A scope option as root-relative path; undefined for the whole workspace ('', '.', '/'). */
export function scopeOf(scope: string | undefined): string | undefined {
  const s = scope?.replace(/\/+$/, '');
  return s === undefined || s === '' || s === '.' ? undefined : normalizeModelPath(s);
}

/** True when workspace path `path` is the scope folder or lies below it (always without a scope). */
export function inScope(path: string, scope: string | undefined): boolean {
  return !scope || path === scope || path.startsWith(`${scope}/`);
}
