import type { ScannedRoot } from './scan';
import type { ContextMap, FileInfo, SkippedFile } from './types';

// Builds the `context` that model code sees: plain objects and arrays only, frozen all the way
// down, so sandbox code can neither change the host's copy nor find anything but metadata in it.

interface MutDir {
  name: string;
  path: string;
  files: number;
  bytes: number;
  lines: number;
  dirs: Map<string, MutDir>;
  fileNames: string[];
}

export function buildContext(roots: ScannedRoot[], files: FileInfo[], skipped: SkippedFile[], scope?: string): ContextMap {
  const rootName = roots.length === 1 ? roots[0].name : '';
  const top: MutDir = { name: rootName, path: '', files: 0, bytes: 0, lines: 0, dirs: new Map(), fileNames: [] };
  const languages: Record<string, { files: number; lines: number; bytes: number }> = {};
  let bytes = 0;
  let lines = 0;
  for (const f of files) {
    bytes += f.size;
    lines += f.lines;
    const lang = (languages[f.language] ??= { files: 0, lines: 0, bytes: 0 });
    lang.files++;
    lang.lines += f.lines;
    lang.bytes += f.size;
    const parts = f.path.split('/');
    let node = top;
    for (let i = 0; ; i++) {
      node.files++;
      node.bytes += f.size;
      node.lines += f.lines;
      if (i === parts.length - 1) break;
      let child = node.dirs.get(parts[i]);
      if (!child) {
        child = { name: parts[i], path: parts.slice(0, i + 1).join('/'), files: 0, bytes: 0, lines: 0, dirs: new Map(), fileNames: [] };
        node.dirs.set(parts[i], child);
      }
      node = child;
    }
    node.fileNames.push(parts[parts.length - 1]);
  }
  const sortedLanguages: ContextMap['languages'] = {};
  for (const k of Object.keys(languages).sort((a, b) => languages[b].files - languages[a].files || (a < b ? -1 : 1))) {
    sortedLanguages[k] = Object.freeze(languages[k]);
  }
  const context: ContextMap = {
    root: roots.map((r) => r.name).join(', '),
    roots: Object.freeze(roots.map((r) => r.name)) as string[],
    files: Object.freeze(files) as FileInfo[],
    tree: freezeDir(top),
    languages: Object.freeze(sortedLanguages),
    totals: Object.freeze({ files: files.length, bytes, lines, skipped: skipped.length }),
    skipped: Object.freeze(skipped.map((s) => Object.freeze(s))) as SkippedFile[],
  };
  if (scope !== undefined) context.scope = scope;
  return Object.freeze(context);
}

/**
 * `prev` with some files gone and some added (a changed file is both), built as buildContext would
 * build it from scratch but in time proportional to the change: only the folders on a changed
 * file's path are rebuilt, every other folder node is shared with `prev` (all of it is frozen).
 * `files` and `skipped` are the new sorted lists.
 */
export function patchContext(prev: ContextMap, removed: readonly FileInfo[], added: readonly FileInfo[], files: FileInfo[], skipped: SkippedFile[]): ContextMap {
  interface Delta {
    files: number;
    bytes: number;
    lines: number;
    gone: Set<string>;
    names: string[];
    dirs: Map<string, Delta>;
  }
  const newDelta = (): Delta => ({ files: 0, bytes: 0, lines: 0, gone: new Set(), names: [], dirs: new Map() });
  const top = newDelta();
  const languages: Record<string, { files: number; lines: number; bytes: number }> = {};
  for (const [k, v] of Object.entries(prev.languages)) languages[k] = { ...v };
  let bytes = prev.totals.bytes;
  let lines = prev.totals.lines;
  const apply = (f: FileInfo, sign: 1 | -1) => {
    bytes += sign * f.size;
    lines += sign * f.lines;
    const lang = (languages[f.language] ??= { files: 0, lines: 0, bytes: 0 });
    lang.files += sign;
    lang.lines += sign * f.lines;
    lang.bytes += sign * f.size;
    const parts = f.path.split('/');
    let node = top;
    for (let i = 0; ; i++) {
      node.files += sign;
      node.bytes += sign * f.size;
      node.lines += sign * f.lines;
      if (i === parts.length - 1) break;
      let child = node.dirs.get(parts[i]);
      if (!child) node.dirs.set(parts[i], (child = newDelta()));
      node = child;
    }
    const name = parts[parts.length - 1];
    if (sign < 0) node.gone.add(name);
    else node.names.push(name);
  };
  for (const f of removed) apply(f, -1);
  for (const f of added) apply(f, 1);

  const patch = (node: ContextMap['tree'] | undefined, d: Delta, name: string, path: string): ContextMap['tree'] | undefined => {
    const count = (node?.files ?? 0) + d.files;
    if (count === 0 && path !== '') return undefined;
    const kids = new Map((node?.dirs ?? []).map((c) => [c.name, c] as const));
    for (const [n, cd] of d.dirs) {
      const next = patch(kids.get(n), cd, n, path === '' ? n : `${path}/${n}`);
      if (next) kids.set(n, next);
      else kids.delete(n);
    }
    const keep = (node?.fileNames ?? []).filter((n) => !d.gone.has(n));
    const names = d.names.length === 0 ? keep : [...keep, ...d.names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.freeze({
      name,
      path,
      files: count,
      bytes: (node?.bytes ?? 0) + d.bytes,
      lines: (node?.lines ?? 0) + d.lines,
      dirs: Object.freeze([...kids.keys()].sort().map((k) => kids.get(k)!)) as ContextMap['tree'][],
      fileNames: Object.freeze(names) as string[],
    });
  };
  const sortedLanguages: ContextMap['languages'] = {};
  for (const k of Object.keys(languages).sort((a, b) => languages[b].files - languages[a].files || (a < b ? -1 : 1))) {
    if (languages[k].files > 0) sortedLanguages[k] = Object.freeze(languages[k]);
  }
  const context: ContextMap = {
    root: prev.root,
    roots: prev.roots,
    files: Object.freeze(files) as FileInfo[],
    tree: patch(prev.tree, top, prev.tree.name, '')!,
    languages: Object.freeze(sortedLanguages),
    totals: Object.freeze({ files: files.length, bytes, lines, skipped: skipped.length }),
    skipped: Object.freeze(skipped.map((s) => Object.freeze(s))) as SkippedFile[],
  };
  if (prev.scope !== undefined) context.scope = prev.scope;
  return Object.freeze(context);
}

function freezeDir(d: MutDir): ContextMap['tree'] {
  const names = [...d.dirs.keys()].sort();
  return Object.freeze({
    name: d.name,
    path: d.path,
    files: d.files,
    bytes: d.bytes,
    lines: d.lines,
    dirs: Object.freeze(names.map((n) => freezeDir(d.dirs.get(n)!))) as ContextMap['tree'][],
    fileNames: Object.freeze(d.fileNames) as string[],
  });
}
