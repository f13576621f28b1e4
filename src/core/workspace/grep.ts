import { RlmError } from '../errors';
import { compileGlob } from './globMatch';
import { grepJs } from './grepJs';
import { findRipgrep, grepRipgrep, rgCompatible, RipgrepUnusable, type RgTarget } from './grepRipgrep';
import { capReply, type EngineHit, type GrepQuery, type LocalFile } from './grepTypes';
import type { FileEntry } from './scan';
import type { GrepOptions, GrepResult, ScanOptions } from './types';

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
 *  it reads the pattern as JS would, else a JS RegExp in a killable worker process. */
export async function grepWorkspace(pattern: string, options: GrepOptions, env: GrepEnv): Promise<GrepResult> {
  const q = toQuery(pattern, options, env);
  const rg = env.scanOptions.grepEngine === 'js' ? undefined : findRipgrep(env.scanOptions.rgPath);
  const local = env.targets.every((t) => t.localRoot !== undefined);
  if (rg && local && rgCompatible(q.pattern)) {
    try {
      const excludes = env.scanOptions.excludes;
      const targets = (env.targets as RgTarget[]).map((t) => ({ ...t, excludes, maxFileBytes: env.maxFileBytes }));
      const found = await grepRipgrep(rg, targets, q);
      return capReply(await env.checkHits(found.hits), q, found.more);
    } catch (err) {
      if (!(err instanceof RipgrepUnusable)) throw err;
    }
  }
  const files = await filterYielding([...env.files.values()], (e) => q.accept(e.info.path), env.signal);
  files.sort((a, b) => (a.info.path < b.info.path ? -1 : a.info.path > b.info.path ? 1 : 0));
  return capReply(await grepJs(q, files, env, env.scanOptions.grepWorkerPath), q, false);
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
  const { glob, ignoreCase, maxResults, contextLines } = options;
  if (ignoreCase !== undefined && typeof ignoreCase !== 'boolean') throw new RlmError('grep ignoreCase must be true or false', 'grep-invalid');
  const intIn = (name: string, v: unknown, min: number, max: number, dflt: number) => {
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      throw new RlmError(`grep ${name} must be a whole number of at least ${min}`, 'grep-invalid');
    }
    return Math.min(v, max);
  };
  const results = intIn('maxResults', maxResults, 1, HARD_MAX_RESULTS, DEFAULT_MAX_RESULTS);
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
  const files = env.files;
  return {
    pattern,
    ignoreCase: ignoreCase === true,
    maxResults: results,
    contextLines: context,
    maxBytes: env.scanOptions.maxGrepBytes ?? DEFAULT_MAX_GREP_BYTES,
    accept: (path) => {
      const entry = files.get(path);
      // In a multi-root workspace a path glob may name the path inside its root, too (for `!` globs
      // as well, so both names go to one test rather than two tests or'ed).
      return entry !== undefined && (globOk === undefined || (entry.rel === path ? globOk(path) : globOk(path, entry.rel)));
    },
    timeoutMs: env.scanOptions.grepTimeoutMs ?? DEFAULT_GREP_TIMEOUT_MS,
    signal: env.signal,
  };
}
