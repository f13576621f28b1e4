import { RlmError } from '../errors';
import { compileGlob } from './globMatch';
import { grepJs, type GrepJsPass } from './grepJs';
import { findRipgrep, grepRipgrep, rgCompatible, rgMatchingFiles, RipgrepUnusable, type RgTarget } from './grepRipgrep';
import { spreadCut, spreadQuotas } from './grepSpread';
import type { EngineHit, GrepQuery, LocalFile } from './grepTypes';
import type { FileEntry } from './scan';
import type { GrepHit, GrepMode, GrepOptions, GrepResult, ScanOptions } from './types';

const GREP_MODES: readonly GrepMode[] = ['hits', 'files', 'count'];

export const DEFAULT_MAX_PATTERN_CHARS = 1000;
export const DEFAULT_MAX_RESULTS = 100;
export const HARD_MAX_RESULTS = 1000;
export const MAX_CONTEXT_LINES = 10;
export const DEFAULT_GREP_TIMEOUT_MS = 10_000;
/** Bytes of one grep reply: 1,000 hits with 10 lines of context each would otherwise be ~10 MB. */
export const DEFAULT_MAX_GREP_BYTES = 256 * 1024;

export interface GrepTarget {
  prefix: string;
  localRoot?: string;
  searchPath?: string;
  skipFiles?: string[];
}

export interface GrepEnv {
  targets: GrepTarget[];
  files: Map<string, FileEntry>;
  maxFileBytes: number;
  /** Text (from the cache) or checked bytes of a mapped file; rejects when it cannot be read. */
  readContent(entry: FileEntry): Promise<string | Uint8Array>;
  /** Where a mapped file lies on the local disk, when the worker may read it itself (not cached). */
  localFile(entry: FileEntry): LocalFile | undefined;
  /** Keeps ripgrep's hits only on files that are still the regular files the scan mapped, and
   *  serves their lines from the text as readFile sees it (secrets masked). */
  checkHits(hits: EngineHit[]): Promise<EngineHit[]>;
  maskSecrets: boolean;
  knownSecrets: readonly string[];
  scanOptions: ScanOptions;
  signal?: AbortSignal;
}

/** Validates a grep from model code and runs it: ripgrep (linear time, in its own process) when
 *  it reads the pattern as JS would, else a JS RegExp in a killable worker process.
 *
 *  Every matching line is counted, so the reply gives the true total even when its hits are cut.
 *  When there are more matches than maxResults (or than the byte cap holds), the files are counted
 *  first (ripgrep lists the files with a match, the worker counts them on the masked text, so a
 *  count never tells more than a hit would about a masked secret), the cap is shared fairly across
 *  folders and files (grepSpread.ts), and only those hits are read. */
export async function grepWorkspace(pattern: string, options: GrepOptions, env: GrepEnv): Promise<GrepResult> {
  const q = toQuery(pattern, options, env);
  const started = Date.now();
  const deadline = started + q.timeoutMs;
  const rg = env.scanOptions.grepEngine === 'js' ? undefined : findRipgrep(env.scanOptions.rgPath);
  const local = env.targets.every((t) => t.localRoot !== undefined);
  const rgTargets = () => {
    const excludes = env.scanOptions.excludes;
    return (env.targets as RgTarget[]).map((t) => ({ ...t, excludes, maxFileBytes: env.maxFileBytes }));
  };
  // Each pass's kill timer: what is left of the limit, but never less than 40 % of it, so a count
  // slowed by a busy machine still leaves the hits pass (at most 1,000 files) time to run.
  const js = (files: FileEntry[], pass: GrepJsPass) =>
    grepJs({ ...q, limitMs: q.timeoutMs, timeoutMs: Math.max(deadline - Date.now(), q.timeoutMs * 0.4) }, files, env, env.scanOptions.grepWorkerPath, pass);
  // Counting may use most of the time limit; the rest is for reading the hits chosen.
  const countStop = started + q.timeoutMs * 0.6;

  // The files to count: ripgrep's list of files with a match, else every accepted file.
  let candidates: FileEntry[] | undefined;
  if (rg && local && rgCompatible(q.pattern)) {
    try {
      if (q.mode === 'hits') {
        const found = await grepRipgrep(rg, rgTargets(), q);
        if (!found.more) {
          const checked = await env.checkHits(found.hits);
          const cut = spreadCut(checked, q.maxResults, q.maxBytes);
          if (cut.hits.length === checked.length) return hitsReply(q, cut.hits, countsOf(checked), false, false);
        }
      }
      candidates = entriesOf(await rgMatchingFiles(rg, rgTargets(), q, deadline), env.files);
    } catch (err) {
      if (!(err instanceof RipgrepUnusable)) throw err;
    }
  }
  let counts: Map<string, number>;
  let partial: boolean;
  if (candidates === undefined) {
    const files = await filterYielding([...env.files.values()], (e) => q.accept(e.info.path), env.signal);
    files.sort((a, b) => (a.info.path < b.info.path ? -1 : a.info.path > b.info.path ? 1 : 0));
    const first = await js(files, { maxHits: q.mode === 'hits' ? q.maxResults + 1 : 0, stopAt: countStop });
    if (q.mode === 'hits' && !first.partial) {
      const cut = spreadCut(first.hits, q.maxResults, q.maxBytes);
      if (cut.hits.length === sum(first.counts)) return hitsReply(q, cut.hits, first.counts, false, false);
    }
    ({ counts, partial } = first);
  } else {
    ({ counts, partial } = await js(candidates, { maxHits: 0, stopAt: countStop }));
  }
  if (q.mode !== 'hits') return countReply(q, counts, partial);
  const quotas = spreadQuotas(counts, q.maxResults);
  // The byte cap is applied after the spread (spreadCut), which needs every file's first hits: each
  // file keeps its share of twice the cap (and always its first hit), so this pass holds about
  // 2 x maxBytes plus one bounded hit per file, whatever order the files are searched in.
  const shared = sum(quotas);
  const quotaBytes = new Map<string, number>();
  for (const [path, n] of quotas) quotaBytes.set(path, (2 * q.maxBytes * n) / shared);
  const chosen = await js(entriesOf([...quotas.keys()].sort(), env.files), { maxHits: q.maxResults, quotas, quotaBytes, maxBytes: Number.MAX_SAFE_INTEGER });
  const cut = spreadCut(chosen.hits, q.maxResults, q.maxBytes);
  // Fewer hits read than shared out: a file's byte share stopped it, so bytes are what cut the reply.
  return hitsReply(q, cut.hits, counts, partial, cut.cutByBytes || chosen.hits.length < shared);
}

function entriesOf(paths: string[], files: Map<string, FileEntry>): FileEntry[] {
  return paths.map((p) => files.get(p)).filter((e): e is FileEntry => e !== undefined);
}

function countsOf(hits: GrepHit[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const h of hits) counts.set(h.path, (counts.get(h.path) ?? 0) + 1);
  return counts;
}

function sum(counts: Map<string, number>): number {
  let n = 0;
  for (const c of counts.values()) n += c;
  return n;
}

const fmt = (n: number) => n.toLocaleString('en-US');

/** The hits reply, with a note that says what cut it, the true total and the real cap. */
function hitsReply(q: GrepQuery, hits: GrepHit[], counts: Map<string, number>, partial: boolean, cutByBytes: boolean): GrepResult {
  const total = sum(counts);
  const files = counts.size;
  const truncated = hits.length < total || partial;
  const notes: string[] = [];
  if (q.clampedFrom !== undefined) notes.push(`maxResults ${fmt(q.clampedFrom)} is above the most one grep returns; ${fmt(HARD_MAX_RESULTS)} used`);
  if (truncated) {
    const shownFiles = new Set(hits.map((h) => h.path)).size;
    const why = cutByBytes
      ? `the reply's ${Math.round(q.maxBytes / 1024)} KiB cap cut them: ask for fewer contextLines`
      : q.maxResults < HARD_MAX_RESULTS
        ? `maxResults is ${fmt(q.maxResults)} (up to ${fmt(HARD_MAX_RESULTS)} allowed)`
        : `${fmt(HARD_MAX_RESULTS)} is the most one grep returns`;
    notes.push(
      `${fmt(hits.length)} of ${partial ? 'at least ' : ''}${fmt(total)} matching lines shown (from ${fmt(shownFiles)} of ${fmt(files)} files, spread across folders); ` +
        `${why}; narrow with glob or exclude, or use {mode: 'count'} or {mode: 'files'} for per-file counts`,
    );
  }
  if (partial) notes.push(`counting stopped at the time limit, so the totals are lower bounds`);
  const out: GrepResult = { hits, truncated, total, files };
  if (partial) out.partial = true;
  if (notes.length > 0) out.note = notes.join('; ');
  return out;
}

/** Modes 'files' (path order) and 'count' (most matches first), the list cut to its cap. */
function countReply(q: GrepQuery, counts: Map<string, number>, partial: boolean): GrepResult {
  const all = [...counts].map(([path, count]) => ({ path, count }));
  if (q.mode === 'count') all.sort((a, b) => b.count - a.count || (a.path < b.path ? -1 : 1));
  else all.sort((a, b) => (a.path < b.path ? -1 : 1));
  const perFile = all.slice(0, q.maxResults);
  const out: GrepResult = { hits: [], truncated: perFile.length < all.length || partial, total: sum(counts), files: counts.size, perFile };
  const notes: string[] = [];
  if (q.clampedFrom !== undefined) notes.push(`maxResults ${fmt(q.clampedFrom)} is above the most one grep lists; ${fmt(HARD_MAX_RESULTS)} used`);
  if (perFile.length < all.length) {
    notes.push(`${fmt(perFile.length)} of ${fmt(all.length)} files listed${q.mode === 'count' ? ' (most matches first)' : ''}; narrow with glob or exclude, or raise maxResults (up to ${fmt(HARD_MAX_RESULTS)})`);
  }
  if (partial) {
    out.partial = true;
    notes.push('counting stopped at the time limit, so the totals are lower bounds');
  }
  if (notes.length > 0) out.note = notes.join('; ');
  return out;
}

// Glob filtering runs on the host's main thread: yield between slices so a large map never
// blocks the event loop for the whole pass (each slice is bounded by the glob's work cap).
const FILTER_SLICE = 256;

async function filterYielding<T>(items: T[], keep: (x: T) => boolean, signal?: AbortSignal): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < items.length; i += FILTER_SLICE) {
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal?.aborted) throw new RlmError('grep cancelled', 'cancelled');
    for (const x of items.slice(i, i + FILTER_SLICE)) if (keep(x)) out.push(x);
  }
  return out;
}

function toQuery(pattern: unknown, options: GrepOptions, env: GrepEnv): GrepQuery {
  const maxChars = env.scanOptions.maxPatternChars ?? DEFAULT_MAX_PATTERN_CHARS;
  if (typeof pattern !== 'string' || pattern.length === 0) throw new RlmError('grep pattern must be a non-empty string', 'grep-invalid');
  if (pattern.length > maxChars) throw new RlmError(`grep pattern is longer than ${maxChars} characters`, 'grep-invalid');
  if (options === null || typeof options !== 'object') throw new RlmError('grep options must be an object', 'grep-invalid');
  const { glob, exclude, ignoreCase, maxResults, contextLines, mode = 'hits' } = options;
  if (ignoreCase !== undefined && typeof ignoreCase !== 'boolean') throw new RlmError('grep ignoreCase must be true or false', 'grep-invalid');
  if (!GREP_MODES.includes(mode)) throw new RlmError(`grep mode must be one of ${GREP_MODES.map((m) => `'${m}'`).join(', ')}`, 'grep-invalid');
  const intIn = (name: string, v: unknown, min: number, max: number, dflt: number) => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      throw new RlmError(`grep ${name} must be a whole number of at least ${min}`, 'grep-invalid');
    }
    return Math.min(v, max);
  };
  const results = intIn('maxResults', maxResults, 1, HARD_MAX_RESULTS, mode === 'files' ? HARD_MAX_RESULTS : DEFAULT_MAX_RESULTS);
  const clampedFrom = typeof maxResults === 'number' && maxResults > HARD_MAX_RESULTS ? maxResults : undefined;
  const context = intIn('contextLines', contextLines, 0, MAX_CONTEXT_LINES, 0);
  try {
    // Compiling is safe on the host; only matching can run away.
    new RegExp(pattern, ignoreCase ? 'i' : '');
  } catch (err) {
    const why = err instanceof SyntaxError ? err.message.replace(/^Invalid regular expression: /, '') : 'invalid';
    throw new RlmError(`invalid regular expression (JavaScript syntax): ${why.slice(0, 300)}`, 'grep-invalid');
  }
  let globOk: ((path: string, ...alsoAs: string[]) => boolean) | undefined;
  if (glob !== undefined) {
    if (typeof glob !== 'string') throw new RlmError('grep glob must be a string', 'grep-invalid');
    globOk = compileGlob(glob);
  }
  let excluded: ((path: string, ...alsoAs: string[]) => boolean) | undefined;
  if (exclude !== undefined) {
    if (typeof exclude !== 'string') throw new RlmError('grep exclude must be a string (globs separated by commas)', 'grep-invalid');
    if (/(^|,)\s*!/.test(exclude)) throw new RlmError("grep exclude takes plain globs (what to leave out), without '!': e.g. 'test/**, docs/**'", 'glob-invalid');
    excluded = compileGlob(exclude);
  }
  const files = env.files;
  return {
    pattern,
    ignoreCase: ignoreCase === true,
    maxResults: results,
    clampedFrom,
    mode,
    contextLines: context,
    maxBytes: env.scanOptions.maxGrepBytes ?? DEFAULT_MAX_GREP_BYTES,
    accept: (path) => {
      const entry = files.get(path);
      // In a multi-root workspace a path glob may name the path inside its root, too (for `!` globs
      // as well, so both names go to one test rather than two tests or'ed).
      if (entry === undefined) return false;
      const names = entry.rel === path ? [path] : [path, entry.rel];
      return (globOk === undefined || globOk(names[0], ...names.slice(1))) && !(excluded !== undefined && excluded(names[0], ...names.slice(1)));
    },
    timeoutMs: env.scanOptions.grepTimeoutMs ?? DEFAULT_GREP_TIMEOUT_MS,
    signal: env.signal,
  };
}
