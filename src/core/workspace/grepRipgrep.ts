import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RlmError } from '../errors';
import { DEFAULT_EXCLUDES } from './ignoreRules';
import { SECRET_PATTERNS } from './secrets';
import { compareHits, cutContext, cutLine, type EngineHit, type GrepQuery } from './grepTypes';

/** ripgrep could not take this pattern (Rust regex syntax differs) or could not run at all. */
export class RipgrepUnusable extends Error {}

export interface RgTarget {
  /** Workspace path prefix of this root ('' or `name/`). */
  prefix: string;
  localRoot: string;
  /** Root-relative folder to search instead of the whole root (the scope). */
  searchPath?: string;
  /** Root-relative files to skip (the scan's too-large ones), as exact-path globs. */
  skipFiles?: string[];
  /** The user's exclude globs (gitignore syntax, relative to each root), as the scan applied them. */
  excludes?: readonly string[];
  /** Larger files are not in the map: ripgrep skips them unread. */
  maxFileBytes?: number;
}

/** User excludes as ripgrep override globs, which follow gitignore rules relative to the search's
 *  working folder (the root). Only to spare ripgrep work: the map still filters every hit. A
 *  negation (`!x`) may re-include files under an earlier exclude, which overrides cannot express,
 *  so then none is passed; comments and escapes are left out rather than translated. */
export function rgExcludeGlobs(excludes: readonly unknown[] = []): string[] {
  const globs = excludes.filter((p): p is string => typeof p === 'string' && p.trim() !== '');
  if (globs.some((p) => p.trimStart().startsWith('!'))) return [];
  return globs.filter((p) => !p.startsWith('#') && !p.includes('\\')).map((p) => '!' + p.trimEnd());
}

// One JSON message of ripgrep: a line of a mapped file (at most maxFileBytes, escaped up to 6x) fits.
const MAX_JSON_LINE_CHARS = 16 * 1024 * 1024;

// Exact-path globs for at most this many files; beyond, ripgrep searches them and the map drops the hits.
const MAX_SKIP_GLOBS = 500;

function exactGlob(rel: string): string {
  return '!/' + rel.replace(/[\\*?[\]{}!]/g, (c) => '\\' + c);
}

let pathRg: string | null | undefined;

/** The ripgrep binary: the configured one when it exists, else `rg` on PATH, else undefined. */
export function findRipgrep(configured?: string): string | undefined {
  if (configured !== undefined) return isExecutable(configured) ? configured : undefined;
  if (pathRg === undefined) {
    pathRg = null;
    const exe = process.platform === 'win32' ? 'rg.exe' : 'rg';
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
      if (dir && isExecutable(path.join(dir, exe))) {
        pathRg = path.join(dir, exe);
        break;
      }
    }
  }
  return pathRg ?? undefined;
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

// Rust regex reads these differently from JS (or JS reads them as plain letters): leave them to
// the JS engine so a pattern means the same thing whichever engine runs it.
const JS_ONLY = /\\[^dDwWsSbBnrtfv.*+?()[\]{}|^$\\-]|\[\[|\(\?[a-zA-Z-]/;

/** Whether ripgrep would read `pattern` as JS does. Nested character classes and set operations
 *  (`[a[b]]`, `&&`, `--`, `~~` inside a class) are Rust-only syntax. */
export function rgCompatible(pattern: string): boolean {
  if (JS_ONLY.test(pattern)) return false;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (!inClass && c === '[') {
      inClass = true;
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
      else if (c === '[') return false;
      else if ((c === '&' || c === '-' || c === '~') && pattern[i + 1] === c) return false;
    }
  }
  return true;
}

function rgArgs(q: GrepQuery, t: RgTarget, list = false): string[] {
  const args = [
    ...(list ? ['--files-with-matches', '--null'] : ['--json']), '--no-config', '--hidden', '--no-follow', '--no-require-git',
    '--no-ignore-global', '--no-ignore-parent', '--no-ignore-dot', '--no-messages',
  ];
  // Only to skip work early: correctness comes from q.accept (the map) on every hit.
  for (const g of [...DEFAULT_EXCLUDES, ...SECRET_PATTERNS]) args.push('--glob', '!' + g);
  for (const g of rgExcludeGlobs(t.excludes)) args.push('--glob', g);
  for (const rel of (t.skipFiles ?? []).slice(0, MAX_SKIP_GLOBS)) args.push('--glob', exactGlob(rel));
  // Files past the cap are not in the map (a file grown or added since the scan, or past the
  // exact-path globs above): ripgrep skips them without reading them.
  if (t.maxFileBytes !== undefined) args.push('--max-filesize', String(t.maxFileBytes));
  if (q.ignoreCase) args.push('--ignore-case');
  if (!list && q.contextLines > 0) args.push('--context', String(q.contextLines));
  // More matches per file than the whole result keeps are never needed (one more shows truncation).
  if (!list) args.push('--max-count', String(q.maxResults + 1));
  args.push('--regexp', q.pattern);
  return args;
}

/** Workspace paths of the files with a match that the query accepts (ripgrep's
 *  --files-with-matches, one process per root): a cheap first cut before the files are counted. */
export async function rgMatchingFiles(rg: string, targets: RgTarget[], q: GrepQuery, deadline: number): Promise<string[]> {
  const out: string[] = [];
  for (const t of targets) {
    const args = [...rgArgs(q, t, true), '--', t.searchPath ?? '.'];
    const { stdout, code } = await runCollect(rg, args, t.localRoot, q, deadline);
    // Exit 2 with nothing listed: the pattern (or ripgrep itself) was refused.
    if (code === 2 && stdout.length === 0) throw new RipgrepUnusable('ripgrep refused the pattern');
    for (const raw of stdout.toString('utf8').split('\0')) {
      if (raw === '') continue;
      const wsPath = t.prefix + (raw.startsWith('./') ? raw.slice(2) : raw);
      if (q.accept(wsPath)) out.push(wsPath);
    }
  }
  return out.sort();
}

// Paths of 100k files fit easily; beyond this the listing is refused rather than held.
const MAX_LIST_BYTES = 64 * 1024 * 1024;

function runCollect(rg: string, args: string[], cwd: string, q: GrepQuery, deadline: number): Promise<{ stdout: Buffer; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(rg, args, { cwd, stdio: ['ignore', 'pipe', 'ignore'], env: {} });
    const chunks: Buffer[] = [];
    let size = 0;
    let stopped: RlmError | undefined;
    const stop = (why: RlmError) => {
      stopped ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop(new RlmError(`grep stopped after ${(q.limitMs ?? q.timeoutMs) / 1000} s`, 'limit-grep-time')), Math.max(0, deadline - Date.now()));
    const onAbort = () => stop(new RlmError('grep cancelled', 'cancelled'));
    if (q.signal?.aborted) onAbort();
    q.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (b: Buffer) => {
      size += b.length;
      if (size > MAX_LIST_BYTES) stop(new RlmError('grep matched too many files to list; narrow the glob', 'limit-grep-files'));
      else chunks.push(b);
    });
    const done = () => {
      clearTimeout(timer);
      q.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', () => {
      done();
      reject(new RipgrepUnusable('ripgrep could not start'));
    });
    child.on('close', (code) => {
      done();
      if (stopped) reject(stopped);
      else resolve({ stdout: Buffer.concat(chunks), code });
    });
  });
}

/** Hits found so far and the bytes their lines take: a search stops once either is past its cap. */
class Found {
  readonly hits: EngineHit[] = [];
  bytes = 0;
  constructor(private readonly q: GrepQuery) {}
  get full(): boolean {
    return this.hits.length > this.q.maxResults || this.bytes > this.q.maxBytes;
  }
}

/** Runs ripgrep over each root in turn and keeps only hits on files of the map, in path order
 *  (the caller cuts them to maxResults and the byte cap). A parallel search returns files in any
 *  order, so when it has to stop early the kept hits would vary from run to run: then one more
 *  pass in path order makes them the first ones, every time. */
export async function grepRipgrep(rg: string, targets: RgTarget[], q: GrepQuery): Promise<{ hits: EngineHit[]; more: boolean }> {
  const deadline = Date.now() + q.timeoutMs;
  let found = await collect(rg, targets, q, deadline, false);
  if (found.full) found = await collect(rg, targets, q, deadline, true);
  return { hits: found.hits.sort(compareHits), more: found.full };
}

async function collect(rg: string, targets: RgTarget[], q: GrepQuery, deadline: number, sorted: boolean): Promise<Found> {
  const found = new Found(q);
  for (const t of targets) {
    if (found.full) break;
    await runOne(rg, t, q, found, deadline, sorted);
  }
  return found;
}

interface RgSubmatch {
  start?: number;
  end?: number;
}

/** Columns (UTF-16) of ripgrep's submatches, given as UTF-8 byte offsets into `line`. */
function matchColumns(line: string, subs: RgSubmatch[] | undefined): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const ascii = Buffer.byteLength(line) === line.length;
  const buf = ascii ? undefined : Buffer.from(line, 'utf8');
  const col = (b: number) => (buf ? buf.subarray(0, b).toString('utf8').length : b);
  for (const m of subs ?? []) {
    if (typeof m.start === 'number' && typeof m.end === 'number') out.push([col(m.start), col(m.end)]);
  }
  return out;
}

interface RgText {
  text?: string;
  bytes?: string;
}

function decode(v: RgText | undefined): string {
  if (!v) return '';
  return v.text ?? Buffer.from(v.bytes ?? '', 'base64').toString('utf8');
}

function runOne(
  rg: string,
  t: RgTarget,
  q: GrepQuery,
  found: Found,
  deadline: number,
  sorted: boolean,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const args = rgArgs(q, t);
    if (sorted) args.push('--sort', 'path');
    args.push('--', t.searchPath ?? '.');
    const child = spawn(rg, args, { cwd: t.localRoot, stdio: ['ignore', 'pipe', 'pipe'], env: {} });
    let stderr = '';
    let sawFile = false;
    let stopped: RlmError | 'enough' | undefined;
    let rest = '';
    let skipping = false;
    // The current file: whether the map accepts it, its hits, the last contextLines lines (for
    // before-context) and the hits still waiting for after-context. Never the whole file.
    let wsPath = '';
    let accepted = false;
    let fileHits = 0;
    let window: Array<{ n: number; text: string }> = [];
    let pending: EngineHit[] = [];
    const hits = found.hits;

    const stop = (why: RlmError | 'enough') => {
      stopped ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () => stop(new RlmError(`grep stopped after ${(q.limitMs ?? q.timeoutMs) / 1000} s`, 'limit-grep-time')),
      Math.max(0, deadline - Date.now()),
    );
    const onAbort = () => stop(new RlmError('grep cancelled', 'cancelled'));
    if (q.signal?.aborted) onAbort();
    q.signal?.addEventListener('abort', onAbort, { once: true });

    const beginFile = (rawPath: string) => {
      const rel = rawPath.startsWith('./') ? rawPath.slice(2) : rawPath;
      wsPath = t.prefix + rel;
      accepted = q.accept(wsPath);
      fileHits = 0;
      window = [];
      pending = [];
    };

    const onFileLine = (n: number, raw: string, isMatch: boolean, subs?: RgSubmatch[]) => {
      if (!accepted) return;
      const full = raw.replace(/\r?\n$/, '');
      const context = cutContext(full);
      const ctx = q.contextLines;
      for (const h of pending) {
        if (n > h.line && n <= h.line + ctx) {
          h.after.push(context);
          found.bytes += Buffer.byteLength(context) + 4;
        }
      }
      pending = pending.filter((h) => n < h.line + ctx);
      // Past a cap no new hit is needed: the pending ones finish their context, then it stops.
      if (isMatch && fileHits <= q.maxResults && !found.full) {
        fileHits++;
        const before = window.filter((w) => w.n >= n - ctx).map((w) => w.text);
        const hit: EngineHit = { path: wsPath, line: n, text: cutLine(full), before, after: [], columns: matchColumns(full, subs) };
        hits.push(hit);
        found.bytes += Buffer.byteLength(hit.text) + before.reduce((a, l) => a + Buffer.byteLength(l) + 4, 48);
        if (ctx > 0) pending.push(hit);
      }
      if (ctx > 0) {
        window.push({ n, text: context });
        if (window.length > ctx) window.shift();
      }
      // Enough hits (or bytes), each with all its context: the rest of the search is wasted work.
      if (found.full && pending.length === 0) stop('enough');
    };

    const onLine = (line: string) => {
      if (stopped || line === '') return;
      let msg: { type: string; data: { path?: RgText; lines?: RgText; line_number?: number; submatches?: RgSubmatch[] } };
      try {
        msg = JSON.parse(line);
      } catch {
        return;
      }
      const d = msg.data;
      if (msg.type === 'begin') {
        sawFile = true;
        beginFile(decode(d.path));
      } else if ((msg.type === 'match' || msg.type === 'context') && d.line_number !== undefined) {
        onFileLine(d.line_number, decode(d.lines), msg.type === 'match', d.submatches);
      } else if (msg.type === 'end' && accepted && found.full) stop('enough');
    };

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      if (skipping) {
        const nl = chunk.indexOf('\n');
        if (nl < 0) return;
        skipping = false;
        chunk = chunk.slice(nl + 1);
      }
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      // A line longer than any mapped file could make (one from a file the map skips) is dropped.
      if (rest.length > Math.max(MAX_JSON_LINE_CHARS, 6 * (t.maxFileBytes ?? 0) + 65_536)) {
        rest = '';
        skipping = true;
      }
      for (const p of parts) onLine(p);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk;
    });
    child.on('error', () => {
      cleanup();
      reject(new RipgrepUnusable('ripgrep could not start'));
    });
    child.on('close', (code) => {
      cleanup();
      if (stopped instanceof RlmError) return reject(stopped);
      if (stopped === 'enough') return resolve();
      onLine(rest);
      // Exit 2 before any file was searched: the pattern (or ripgrep itself) was refused.
      if (code === 2 && !sawFile) return reject(new RipgrepUnusable(stderr));
      resolve();
    });
    function cleanup() {
      clearTimeout(timer);
      q.signal?.removeEventListener('abort', onAbort);
    }
  });
}
