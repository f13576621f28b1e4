/**
 * Code structure inside VS Code: the language servers the user already has answer first
 * (`vscode.executeDocumentSymbolProvider` for outline/enclosing, `executeWorkspaceSymbolProvider`
 * for definitions), each within a wait; when none answers (no extension for the language, a
 * server still starting, an empty reply) the core's tree-sitter structure does. references
 * always come from tree-sitter: a reference provider needs a position, and the workspace
 * symbols that would give one are often partial. Only files of the run's map are ever asked
 * about or returned, so excluded and secret files stay out as they do for readFile.
 */
import * as vscode from 'vscode';
import { RlmError } from '../core/errors';
import { Semaphore } from '../core/semaphore';
import { innermost } from '../core/structure/treeSitterStructure';
import { DEFAULT_STRUCTURE_RESULTS, HARD_STRUCTURE_RESULTS, type CodeStructure, type Definition, type Listed, type OutlineSymbol, type Reference, type SearchOptions } from '../core/structure/types';
import { compileGlob } from '../core/workspace/globMatch';
import { normalizeModelPath } from '../core/workspace/modelPath';
import type { WorkspaceRoot } from '../core/workspace/types';
import type { Workspace } from '../core/workspace/workspace';
import { logInfo } from './requestLog';
import { VscodeFileSource } from './vscodeFileSource';

/** One root of the run: its workspace path prefix ('' for a single root, `name/` otherwise). */
export interface StructureRoot {
  prefix: string;
  uri: vscode.Uri;
}

export type StructureSourceName = 'language-server' | 'tree-sitter';

const KINDS: Partial<Record<vscode.SymbolKind, string>> = {
  [vscode.SymbolKind.Function]: 'function',
  [vscode.SymbolKind.Method]: 'method',
  [vscode.SymbolKind.Class]: 'class',
  [vscode.SymbolKind.Interface]: 'interface',
  [vscode.SymbolKind.Enum]: 'enum',
  [vscode.SymbolKind.Struct]: 'struct',
  [vscode.SymbolKind.Module]: 'module',
  [vscode.SymbolKind.Namespace]: 'namespace',
  [vscode.SymbolKind.Package]: 'module',
  [vscode.SymbolKind.Constructor]: 'constructor',
  [vscode.SymbolKind.Property]: 'property',
  [vscode.SymbolKind.Field]: 'property',
  [vscode.SymbolKind.Variable]: 'variable',
  [vscode.SymbolKind.Constant]: 'variable',
  [vscode.SymbolKind.TypeParameter]: 'type',
  [vscode.SymbolKind.EnumMember]: 'property',
};
// Kinds an outline lists (locals, fields and enum members would drown the definitions).
const OUTLINE_KINDS = new Set(['function', 'method', 'class', 'interface', 'enum', 'struct', 'module', 'namespace', 'constructor', 'type']);
const MAX_SYMBOLS = 2000;
// After a server let a request time out, files of that extension go straight to tree-sitter for
// this long: a cell outlining 100 files must not wait for a server that is still starting 100 times.
const SLOW_SERVER_PAUSE_MS = 60_000;
// Provider requests at once: each opens the document in the window.
const REQUESTS_AT_ONCE = 4;

export class LanguageServerStructure implements CodeStructure {
  /** Which engine answered the last outline or definitions call (the integration test reads it). */
  lastSource: StructureSourceName | undefined;
  /** File extension (or '*' for workspace symbols) -> until when its servers are not asked. */
  private readonly paused = new Map<string, number>();
  private readonly slots = new Semaphore(REQUESTS_AT_ONCE, () => new RlmError('cancelled while waiting for a language server', 'cancelled'));

  constructor(
    private readonly fallback: CodeStructure,
    private readonly roots: readonly StructureRoot[],
    private readonly isMapped: (path: string) => boolean,
    private readonly waitMs: number,
    private readonly log: (line: string) => void = () => {},
  ) {}

  async outline(path: string, signal?: AbortSignal): Promise<Listed<OutlineSymbol>> {
    const uri = this.mappedUri(path);
    const ext = uri ? extensionOf(uri.path) : '';
    const found = uri ? await this.ask<Array<vscode.DocumentSymbol | vscode.SymbolInformation>>(ext, 'vscode.executeDocumentSymbolProvider', uri, signal) : undefined;
    if (found && found.length > 0) {
      const items = flatten(found);
      if (items.length > 0) return this.answered('outline', 'language-server', { items: items.slice(0, MAX_SYMBOLS), truncated: items.length > MAX_SYMBOLS });
    }
    return this.answered('outline', 'tree-sitter', await this.fallback.outline(path, signal));
  }

  async enclosing(path: string, line: number, signal?: AbortSignal): Promise<OutlineSymbol | null> {
    if (typeof line !== 'number' || !Number.isInteger(line) || line < 1) throw new RlmError('enclosing: line must be a whole line number of at least 1', 'structure-invalid');
    return innermost((await this.outline(path, signal)).items, line);
  }

  async definitions(name: string, options: SearchOptions, signal?: AbortSignal): Promise<Listed<Definition>> {
    const found = typeof name === 'string' && name.length > 0 && name.length <= 200
      ? await this.ask<vscode.SymbolInformation[]>('*', 'vscode.executeWorkspaceSymbolProvider', name, signal)
      : undefined;
    const keep = filterOf(options);
    const max = Math.min(options.maxResults ?? DEFAULT_STRUCTURE_RESULTS, HARD_STRUCTURE_RESULTS);
    const items: Definition[] = [];
    for (const s of found ?? []) {
      if (s.name !== name || !s.location) continue;
      const path = this.pathOf(s.location.uri);
      if (path === undefined || !keep(path)) continue;
      const d: Definition = { path, line: s.location.range.start.line + 1, end: s.location.range.end.line + 1, kind: KINDS[s.kind] ?? 'variable', name };
      if (s.containerName) d.container = s.containerName;
      items.push(d);
    }
    if (items.length > 0) {
      const cut = items.length > max;
      return this.answered('definitions', 'language-server', {
        items: items.slice(0, max),
        truncated: cut,
        ...(cut ? { note: `definitions: first ${max} of ${items.length}; pass a glob to narrow, or raise maxResults (at most ${HARD_STRUCTURE_RESULTS})` } : {}),
      });
    }
    return this.answered('definitions', 'tree-sitter', await this.fallback.definitions(name, options, signal));
  }

  references(name: string, options: SearchOptions, signal?: AbortSignal): Promise<Listed<Reference>> {
    return this.fallback.references(name, options, signal);
  }

  private answered<T>(op: string, source: StructureSourceName, value: T): T {
    this.lastSource = source;
    this.log(`${op}: answered by ${source === 'language-server' ? 'the language servers' : 'tree-sitter'}`);
    return value;
  }

  /** A provider command within the wait; undefined when it fails, times out or finds no provider.
   *  A time-out pauses the servers of `key` (a file extension) for SLOW_SERVER_PAUSE_MS. */
  private async ask<T>(key: string, command: string, arg: unknown, signal?: AbortSignal): Promise<T | undefined> {
    if ((this.paused.get(key) ?? 0) > Date.now()) return undefined;
    return this.slots.run(async () => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), this.waitMs)));
      try {
        const r = await Promise.race([Promise.resolve(vscode.commands.executeCommand<T>(command, arg)).catch(() => undefined), late]);
        if (r !== 'late') return r;
        this.paused.set(key, Date.now() + SLOW_SERVER_PAUSE_MS);
        this.log(`language servers did not answer ${command} within ${this.waitMs / 1000} s; tree-sitter answers for ${key === '*' ? 'definitions' : `*${key} files`} for the next minute`);
        return undefined;
      } finally {
        clearTimeout(timer);
      }
    }, signal);
  }

  /** The file's URI when the path names a file of the run's map (else tree-sitter refuses it with the workspace's reason). */
  private mappedUri(path: string): vscode.Uri | undefined {
    let norm: string;
    try {
      norm = normalizeModelPath(path);
    } catch {
      return undefined;
    }
    if (!this.isMapped(norm)) return undefined;
    const root = this.roots.find((r) => norm.startsWith(r.prefix));
    return root && vscode.Uri.joinPath(root.uri, ...norm.slice(root.prefix.length).split('/'));
  }

  /** The workspace path of a provider's URI, when it is a file of the run's map. */
  private pathOf(uri: vscode.Uri): string | undefined {
    for (const r of this.roots) {
      const base = r.uri.path.endsWith('/') ? r.uri.path : r.uri.path + '/';
      if (uri.scheme !== r.uri.scheme || uri.authority !== r.uri.authority || !uri.path.startsWith(base)) continue;
      const path = r.prefix + uri.path.slice(base.length);
      return this.isMapped(path) ? path : undefined;
    }
    return undefined;
  }
}

function extensionOf(p: string): string {
  const slash = p.lastIndexOf('/');
  const dot = p.lastIndexOf('.');
  return dot > slash ? p.slice(dot).toLowerCase() : p.slice(slash + 1);
}

function filterOf(options: SearchOptions): (path: string) => boolean {
  const include = options.glob ? compileGlob(options.glob) : undefined;
  const exclude = options.exclude ? compileGlob(options.exclude) : undefined;
  return (p) => (!include || include(p)) && !exclude?.(p);
}

/** Document symbols (a tree) or symbol informations (flat) as outline rows in document order. */
function flatten(found: ReadonlyArray<vscode.DocumentSymbol | vscode.SymbolInformation>): OutlineSymbol[] {
  const out: OutlineSymbol[] = [];
  const walk = (list: readonly vscode.DocumentSymbol[], container: string | undefined, depth: number) => {
    for (const s of list) {
      if (out.length > MAX_SYMBOLS || depth > 64) return;
      const kind = KINDS[s.kind] ?? 'variable';
      // Top-level variables too: `const handler = () => …` is a function the server calls a variable.
      const listed = OUTLINE_KINDS.has(kind) || (kind === 'variable' && depth === 0);
      if (listed) {
        const row: OutlineSymbol = { name: s.name, kind, start: s.range.start.line + 1, end: s.range.end.line + 1 };
        if (container) row.container = container;
        out.push(row);
      }
      walk(s.children ?? [], listed ? s.name : container, depth + 1);
    }
  };
  if (found.every((s) => 'children' in s)) walk(found as vscode.DocumentSymbol[], undefined, 0);
  else {
    for (const s of found as vscode.SymbolInformation[]) {
      const kind = KINDS[s.kind] ?? 'variable';
      if (!OUTLINE_KINDS.has(kind)) continue;
      const row: OutlineSymbol = { name: s.name, kind, start: s.location.range.start.line + 1, end: s.location.range.end.line + 1 };
      if (s.containerName) row.container = s.containerName;
      out.push(row);
    }
  }
  return out.sort((a, b) => a.start - b.start || b.end - a.end);
}

/** The run's structure: the window's language servers first, the workspace's tree-sitter after.
 *  Which one answered goes to the RLM output channel. */
export function languageServersFirst(workspace: Workspace, roots: readonly WorkspaceRoot[], waitMs: number): CodeStructure {
  const mapped: StructureRoot[] = [];
  for (const r of roots) {
    if (r.source instanceof VscodeFileSource) mapped.push({ prefix: roots.length > 1 ? `${r.name}/` : '', uri: r.source.root });
  }
  return new LanguageServerStructure(workspace.structure, mapped, (p) => workspace.hasFile(p), waitMs, logInfo);
}
