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
