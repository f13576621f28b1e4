import { RlmError } from '../errors';
import { compileGlob } from '../workspace/globMatch';
import { cutLine } from '../workspace/grepTypes';
import { languageOf } from '../workspace/languages';
import { normalizeModelPath } from '../workspace/modelPath';
import type { WorkspaceAccess } from '../workspace/types';
import type { CodeSymbol } from './extract';
import { GRAMMAR_BY_LANGUAGE, STRUCTURE_LANGUAGES } from './grammars';
import { ParserThread } from './parserThread';
import type { FileOutcome, ParseFile } from './structureTypes';
import {
  DEFAULT_STRUCTURE_LIMITS,
  DEFAULT_STRUCTURE_RESULTS,
  HARD_STRUCTURE_RESULTS,
  MAX_OUTLINE_SYMBOLS,
  type CodeStructure,
  type Definition,
  type Listed,
  type OutlineSymbol,
  type Reference,
  type SearchOptions,
  type StructureLimits,
} from './types';

/** What the tree-sitter structure reads through: the workspace's own checked, masked reads. */
export type StructureSource = Pick<WorkspaceAccess, 'readFile' | 'grep' | 'context'>;

// Identifiers only: the name becomes a word-bounded grep pattern.
const NAME = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;
const MAX_NAME_CHARS = 200;
// Hits the grep pre-filter asks for (its hard cap); their files are the candidates.
const PREFILTER_HITS = 1000;
// A line that looks like it defines the name (`function f`, `class F`, `def f`, `f = (`, `fn f`):
// those files are parsed first when there are more candidates than the file limit.
const DEFINES = /\b(function|class|def|fn|func|interface|type|struct|enum|trait|module|namespace|const|let|var|impl)\b/;

/** Grammar name of a workspace path, or a refusal that says to use grep. */
export function grammarOf(path: string): string | undefined {
  const lang = languageOf(path.slice(path.lastIndexOf('/') + 1));
  return Object.hasOwn(GRAMMAR_BY_LANGUAGE, lang) ? GRAMMAR_BY_LANGUAGE[lang] : undefined;
}

export function noOutline(path: string): RlmError {
  const lang = languageOf(path.slice(path.lastIndexOf('/') + 1));
  return new RlmError(
    `no outline for ${lang} (${path}): outline, enclosing, definitions and references know ${STRUCTURE_LANGUAGES.join(', ')}; use grep and readFile for this file`,
    'structure-language',
  );
}

/** The innermost symbol whose lines hold `line` (the last one starting, among equals). */
export function innermost<T extends { start: number; end: number }>(symbols: readonly T[], line: number): T | null {
  let best: T | null = null;
  for (const s of symbols) {
    if (s.start <= line && line <= s.end && (!best || s.end - s.start <= best.end - best.start)) best = s;
  }
  return best;
}

function checkName(name: unknown, what: string): string {
  if (typeof name !== 'string' || !NAME.test(name) || name.length > MAX_NAME_CHARS) {
    throw new RlmError(`${what}: name must be one identifier (letters, digits, _ or $; e.g. "parseConfig"), not a pattern; use grep for patterns`, 'structure-invalid');
  }
  return name;
}

function checkMax(v: unknown, what: string): number {
  if (v === undefined) return DEFAULT_STRUCTURE_RESULTS;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new RlmError(`${what}: maxResults must be a whole number of at least 1`, 'structure-invalid');
  return Math.min(v, HARD_STRUCTURE_RESULTS);
}

function escapeRegex(s: string): string {
  return s.replace(/[$]/g, '\\$');
}

/** outline/enclosing/definitions/references from tree-sitter grammars, parsed on a worker thread
 *  and bounded by StructureLimits. definitions/references grep for the name as a word first and
 *  parse only the files that hold it. */
export class TreeSitterStructure implements CodeStructure {
  private readonly limits: StructureLimits;
  private readonly thread: ParserThread;

  constructor(
    private readonly source: StructureSource,
    limits: Partial<StructureLimits> = {},
    workerPath?: string,
  ) {
    this.limits = { ...DEFAULT_STRUCTURE_LIMITS, ...limits };
    this.thread = new ParserThread(workerPath);
  }

  dispose(): void {
    this.thread.dispose();
  }

  async outline(path: string, signal?: AbortSignal): Promise<Listed<OutlineSymbol>> {
    const file = await this.load(normalizeModelPath(path), signal, true);
    const done = await this.thread.run({ op: 'outline', files: [file!], maxSymbols: MAX_OUTLINE_SYMBOLS }, this.limits.timeoutMs, signal);
    const one = done.files[0];
    if ((!one && !done.timedOut) || one?.error) throw new RlmError(`outline: could not parse ${file!.path}${one?.error ? `: ${one.error}` : ''}`, 'structure-failed');
    const items = (one?.symbols ?? []).map(plain);
    if (done.timedOut) {
      return { items, truncated: true, note: `outline: parsing ${file!.path} stopped at the time limit (${this.limits.timeoutMs / 1000} s); read it in ranges with readFile instead` };
    }
    if (one.cut) return { items, truncated: true, note: `outline: first ${items.length} definitions of ${file!.path}; read the rest with readFile` };
    return { items, truncated: false };
  }

  async enclosing(path: string, line: number, signal?: AbortSignal): Promise<OutlineSymbol | null> {
    if (typeof line !== 'number' || !Number.isInteger(line) || line < 1) throw new RlmError('enclosing: line must be a whole line number of at least 1', 'structure-invalid');
    const { items } = await this.outline(path, signal);
    return innermost(items, line);
  }

  async definitions(name: string, options: SearchOptions, signal?: AbortSignal): Promise<Listed<Definition>> {
    const n = checkName(name, 'definitions');
    const max = checkMax(options.maxResults, 'definitions');
    const { files, notes } = await this.candidates(n, options, 'definitions', signal);
    const done = await this.parse('outline', files, n, signal);
    const items: Definition[] = [];
    let more = false;
    for (const f of done.files) {
      for (const s of f.symbols ?? []) {
        if (s.name !== n) continue;
        if (items.length >= max) {
          more = true;
          break;
        }
        items.push({ path: f.path, line: s.start, end: s.end, kind: s.kind, name: s.name, ...(s.container ? { container: s.container } : {}) });
      }
    }
    if (more) notes.unshift(`definitions: first ${max} definitions; pass a glob to narrow, or raise maxResults (at most ${HARD_STRUCTURE_RESULTS})`);
    if (done.timedOut) notes.push(this.timeNote('definitions', done.files.length, files.length));
    return listed(items, notes);
  }

  async references(name: string, options: SearchOptions, signal?: AbortSignal): Promise<Listed<Reference>> {
    const n = checkName(name, 'references');
    const max = checkMax(options.maxResults, 'references');
    const { files, notes } = await this.candidates(n, options, 'references', signal);
    const done = await this.parse('occurrences', files, n, signal);
    const items: Reference[] = [];
    let total = 0;
    const texts = new Map(files.map((f) => [f.path, f.text]));
    for (const f of done.files) {
      const occ = f.occurrences ?? [];
      total += occ.length;
      if (items.length >= max) continue;
      const lines = (texts.get(f.path) ?? '').split('\n');
      let last = 0;
      for (const o of occ) {
        // One row per line: `foo(foo)` is one place to look.
        if (o.line === last) continue;
        last = o.line;
        if (items.length >= max) break;
        const inside = innermost(f.symbols ?? [], o.line);
        const r: Reference = { path: f.path, line: o.line, text: cutLine((lines[o.line - 1] ?? '').replace(/\r$/, '')) };
        if (inside) {
          r.enclosing = inside.container ? `${inside.container}.${inside.name}` : inside.name;
          r.enclosingStart = inside.start;
          r.enclosingEnd = inside.end;
        }
        items.push(r);
      }
    }
    if (items.length >= max && total > items.length) {
      notes.unshift(`references: first ${items.length} lines of ${total} occurrences in ${done.files.length} files; pass a glob or exclude to narrow, or raise maxResults (at most ${HARD_STRUCTURE_RESULTS})`);
    }
    if (done.timedOut) notes.push(this.timeNote('references', done.files.length, files.length));
    return listed(items, notes);
  }

  private timeNote(what: string, parsed: number, of: number): string {
    return `${what}: stopped at the time limit (${this.limits.timeoutMs / 1000} s) after ${parsed} of ${of} files; pass a glob to narrow`;
  }

  private parse(op: 'outline' | 'occurrences', files: ParseFile[], name: string, signal?: AbortSignal) {
    if (files.length === 0) return Promise.resolve({ files: [] as FileOutcome[], timedOut: false });
    return this.thread.run(
      op === 'outline' ? { op, files, maxSymbols: MAX_OUTLINE_SYMBOLS } : { op, files, name, maxSymbols: HARD_STRUCTURE_RESULTS * 10 },
      this.limits.timeoutMs,
      signal,
    );
  }

  /** Files that hold `name` as a word (grep), in a language with a grammar, not excluded, at most
   *  maxFiles (files whose hit line looks like a definition first), with their texts. */
  private async candidates(name: string, options: SearchOptions, what: string, signal?: AbortSignal): Promise<{ files: ParseFile[]; notes: string[] }> {
    if (options.exclude !== undefined && typeof options.exclude !== 'string') throw new RlmError(`${what}: exclude must be a glob string`, 'structure-invalid');
    const excluded = options.exclude ? compileGlob(options.exclude) : undefined;
    const pattern = /^\w+$/.test(name) ? `\\b${name}\\b` : escapeRegex(name);
    const hits = await this.source.grep(pattern, { glob: options.glob, exclude: options.exclude, maxResults: PREFILTER_HITS }, signal);
    const notes: string[] = [];
    const seen = new Map<string, boolean>();
    for (const h of hits.hits) {
      if (excluded?.(h.path) || !grammarOf(h.path)) continue;
      seen.set(h.path, (seen.get(h.path) ?? false) || DEFINES.test(h.text));
    }
    let paths = [...seen.keys()];
    if (hits.truncated) notes.push(`${what}: the name is on more than ${PREFILTER_HITS} lines; only the files of the first ${PREFILTER_HITS} were parsed; pass a glob or exclude to narrow`);
    if (paths.length > this.limits.maxFiles) {
      if (what === 'definitions') paths = [...paths.filter((p) => seen.get(p)), ...paths.filter((p) => !seen.get(p))];
      notes.push(`${what}: ${paths.length} files hold the name; parsed ${this.limits.maxFiles} (the file limit); pass a glob or exclude to narrow`);
      paths = paths.slice(0, this.limits.maxFiles);
    }
    const files: ParseFile[] = [];
    let skipped = 0;
    for (const p of paths) {
      const f = await this.load(p, signal, false).catch(() => undefined);
      if (f) files.push(f);
      else skipped++;
    }
    if (skipped > 0) notes.push(`${what}: ${skipped} files not parsed (larger than ${this.limits.maxFileBytes} bytes or unreadable); grep them`);
    return { files, notes };
  }

  /** A file's text (the workspace's checked, masked read) with its grammar; refuses languages
   *  without one and files over the size limit. */
  private async load(path: string, signal: AbortSignal | undefined, forOutline: boolean): Promise<ParseFile | undefined> {
    const grammar = grammarOf(path);
    if (!grammar) throw noOutline(path);
    const text = await this.source.readFile(path, undefined, signal);
    if (text.length > this.limits.maxFileBytes) {
      if (!forOutline) return undefined;
      throw new RlmError(`outline: ${path} is over the parse limit of ${this.limits.maxFileBytes} bytes; grep it or read it in ranges`, 'structure-too-large');
    }
    return { path, grammar, text };
  }
}

function plain(s: CodeSymbol): OutlineSymbol {
  return s.container ? { name: s.name, kind: s.kind, start: s.start, end: s.end, container: s.container } : { name: s.name, kind: s.kind, start: s.start, end: s.end };
}

function listed<T>(items: T[], notes: string[]): Listed<T> {
  return notes.length > 0 ? { items, truncated: true, note: notes.join('; ') } : { items, truncated: false };
}
