/** Finds file references (`path`, `path:line`, `path:start-end`, and `:12-14` or "lines 12-14" after
 *  a path) in plain text, and checks them against the workspace's files. Pure and shared: the panel
 *  links them, the Markdown export marks them, the run checks a final answer's, all with the same rules. */
import type { FileRef } from './panelProtocol';

const CODE_EXT =
  'ts|tsx|js|jsx|mjs|cjs|json|jsonc|md|py|rs|go|java|kt|kts|c|h|cc|cpp|hpp|cs|rb|php|swift|scala|yml|yaml|toml|css|scss|less|html|vue|svelte|sh|bash|ps1|txt|xml|sql|ini|cfg|conf|gradle|lock|proto|graphql|dart|lua|r|m|mm|ex|exs|erl|hs|ml|fs|zig|nim|tf|env|adoc|rst';
// A path: optional folders, a file name with an extension; optional :line or :start-end.
const REF = new RegExp(
  String.raw`(?<![\w/.:@-])((?:[\w@.-]+/)*[\w@-][\w@.-]*\.([A-Za-z][A-Za-z0-9]{0,9}))(?::(\d{1,7})(?:-(\d{1,7}))?)?(?![\w/])`,
  'g',
);
// Lines of the path named last: `:12`, `:12-14`, "line 12", "lines 12-14" (also "12–14", "12 to 14").
const MORE_LINES = new RegExp(String.raw`(?<![\w/.)\]:-])(?::(\d{1,7})(?:-(\d{1,7}))?|\b[Ll]ines? (\d{1,7})(?:\s*(?:-|–|to)\s*(\d{1,7}))?)(?![\w/:])`, 'g');
const KNOWN_EXT = new Set(CODE_EXT.split('|'));

export interface RefMatch {
  index: number;
  text: string;
  ref: FileRef;
  /** A file name alone (`res.json`, `config.ts`): without a folder or line it may just be an
   *  identifier, so when it does not resolve it stays plain text rather than "unverified". */
  bare?: boolean;
}

/** `lastPath`: the path named last before `text` (a reference's lines may follow in a later text
 *  node of the same answer); the returned `lastPath` carries it on. */
export function findRefsAfter(text: string, lastPath?: string): { refs: RefMatch[]; lastPath?: string } {
  const out: RefMatch[] = [];
  for (const m of text.matchAll(REF)) {
    const [whole, path, ext, line, endLine] = m;
    // Bare words like "Node.js" are only candidates with a folder, a line, or a code extension.
    if (!path.includes('/') && line === undefined && !KNOWN_EXT.has(ext.toLowerCase())) continue;
    if (path.includes('..') || path.length > 512) continue;
    const ref: FileRef = { path };
    if (line !== undefined) ref.line = Number(line);
    if (endLine !== undefined) ref.endLine = Number(endLine);
    const match: RefMatch = { index: m.index!, text: whole, ref };
    if (!path.includes('/') && line === undefined) match.bare = true;
    out.push(match);
  }
  // Line-only references take the path named last before them (never one named after).
  const merged: RefMatch[] = [];
  let next = 0;
  let path = lastPath;
  for (const m of text.matchAll(MORE_LINES)) {
    const at = m.index!;
    while (next < out.length && out[next].index <= at) {
      if (out[next].index + out[next].text.length > at) break;
      path = out[next].ref.path;
      merged.push(out[next++]);
    }
    if (next < out.length && out[next].index <= at) continue; // inside a path reference
    if (path === undefined) continue;
    const line = Number(m[1] ?? m[3]);
    const end = m[2] ?? m[4];
    const ref: FileRef = { path, line };
    if (end !== undefined && Number(end) >= line) ref.endLine = Number(end);
    if (line < 1) continue;
    merged.push({ index: at, text: m[0], ref });
  }
  for (; next < out.length; next++) {
    path = out[next].ref.path;
    merged.push(out[next]);
  }
  return { refs: merged, lastPath: path };
}

export function findRefs(text: string): RefMatch[] {
  return findRefsAfter(text).refs;
}

export function refKey(ref: FileRef): string {
  return `${ref.path}:${ref.line ?? ''}-${ref.endLine ?? ''}`;
}

/** How a reference fares against the workspace's files. */
export type RefCheck =
  | { status: 'verified'; ref: FileRef }
  | { status: 'unverified'; reason: string }
  /** A bare file name that names no file: an identifier, shown as plain text. */
  | { status: 'plain' };

/** The workspace's files (workspace paths, root-prefixed when multi-root, and their line counts),
 *  indexed to resolve a reference exactly or by a path suffix that names exactly one file. */
export class RefIndex {
  private readonly lines = new Map<string, number | undefined>();
  private readonly byName = new Map<string, string[]>();

  constructor(files: Iterable<{ path: string; lines?: number }>) {
    for (const f of files) {
      this.lines.set(f.path, f.lines);
      const name = f.path.slice(f.path.lastIndexOf('/') + 1);
      const list = this.byName.get(name);
      if (list) list.push(f.path);
      else this.byName.set(name, [f.path]);
    }
  }

  /** The mapped path `path` names: itself, or the one file whose path ends with "/" + path. */
  resolvePath(path: string): string | undefined {
    const p = path.replace(/^\.\//, '');
    if (this.lines.has(p)) return p;
    const same = (this.byName.get(p.slice(p.lastIndexOf('/') + 1)) ?? []).filter((c) => c.endsWith(`/${p}`));
    return same.length === 1 ? same[0] : undefined;
  }

  check(m: Pick<RefMatch, 'ref' | 'bare'>): RefCheck {
    const { ref } = m;
    const path = this.resolvePath(ref.path);
    if (path === undefined) {
      if (m.bare) return { status: 'plain' };
      const name = ref.path.slice(ref.path.lastIndexOf('/') + 1);
      const many = (this.byName.get(name) ?? []).filter((c) => c === ref.path || c.endsWith(`/${ref.path}`)).length;
      return { status: 'unverified', reason: many > 1 ? `${many} files end with ${ref.path}: give the full path` : 'no such file in the workspace' };
    }
    const lines = this.lines.get(path);
    const last = ref.endLine ?? ref.line;
    if (last !== undefined && lines !== undefined && last > lines) return { status: 'unverified', reason: `${path} has ${lines} lines` };
    return { status: 'verified', ref: { ...ref, path } };
  }
}

/** The references of an answer that do not resolve, each once, with why. */
export function unresolvedRefs(answer: string, index: RefIndex): Array<{ text: string; reason: string }> {
  const seen = new Map<string, string>();
  for (const m of findRefs(answer)) {
    const c = index.check(m);
    const text = `${m.ref.path}${m.ref.line !== undefined ? `:${m.ref.line}${m.ref.endLine !== undefined ? `-${m.ref.endLine}` : ''}` : ''}`;
    if (c.status === 'unverified' && !seen.has(text)) seen.set(text, c.reason);
  }
  return [...seen].map(([text, reason]) => ({ text, reason }));
}
