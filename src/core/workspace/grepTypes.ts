import type { GrepHit, GrepMode } from './types';

/** Longest line text a hit carries. */
export const MAX_HIT_LINE_CHARS = 500;
/** Longest context line a hit carries (before/after). */
export const MAX_CONTEXT_LINE_CHARS = 200;

/** What one grep asks of an engine, already validated. */
export interface GrepQuery {
  pattern: string;
  ignoreCase: boolean;
  maxResults: number;
  /** maxResults as asked when it was above the hard cap (the reply says it was clamped). */
  clampedFrom?: number;
  contextLines: number;
  /** Bytes of the reply (see hitBytes) past which the hits are cut. */
  maxBytes: number;
  /** Whether a workspace path may appear in the hits (listed in the map, matches the glob and
   *  not the exclude). */
  accept(path: string): boolean;
  /** 'hits': matching lines; 'files': [{path, count}] per file; 'count': totals and per-file counts. */
  mode: GrepMode;
  timeoutMs: number;
  /** The user's grep time limit, as messages state it (a pass's timeoutMs may be what is left of it). */
  limitMs?: number;
  signal?: AbortSignal;
}

/** Messages between the host and the JS grep worker process. */
export type WorkerRequest =
  | {
      type: 'init';
      pattern: string;
      flags: string;
      contextLines: number;
      maxHits: number;
      maxBytes: number;
      maxFileBytes: number;
      /** Mask secrets in the files it reads itself (sent texts are masked already). */
      mask: boolean;
      knownSecrets: readonly string[];
    }
  | { type: 'batch'; files: WorkerFile[] };

/** A file to search: its text, its UTF-8 bytes, or (on a local disk) where the worker reads it. */
export interface WorkerFile {
  path: string;
  /** Text from the host's cache: already masked. */
  text?: string;
  bytes?: Uint8Array;
  local?: LocalFile;
  /** Hits to keep from this file at most (the spread's share); every match is counted anyway. */
  quota?: number;
  /** Bytes of hits (hitBytes) to keep from this file: past them no further hit is kept (the first always is). */
  quotaBytes?: number;
}

/** A mapped file on the local disk: absolute root (the source's localRoot) and root-relative path. */
export interface LocalFile {
  root: string;
  rel: string;
  /** Refuse the file when it has more than one hard link (not opted in by the user). */
  singleLink?: boolean;
}

/** A hit as an engine finds it: with the match's columns (UTF-16, in the unmasked line) when
 *  ripgrep found it, so a match on a secret can be dropped once the file's secrets are known. */
export interface EngineHit extends GrepHit {
  columns?: Array<[number, number]>;
}

/** `counts`: [path, matching lines] of each file of the batch with a match (all of them, hits kept or not). */
export type WorkerReply = { type: 'hits'; hits: GrepHit[]; counts: Array<[string, number]> } | { type: 'error'; message: string };

export function cutLine(text: string): string {
  return text.length > MAX_HIT_LINE_CHARS ? text.slice(0, MAX_HIT_LINE_CHARS) + '…' : text;
}

export function cutContext(text: string): string {
  return text.length > MAX_CONTEXT_LINE_CHARS ? text.slice(0, MAX_CONTEXT_LINE_CHARS) + '…' : text;
}

/** What one hit adds to a reply, in bytes (UTF-8 of its lines, plus its path and some framing). */
export function hitBytes(h: GrepHit): number {
  let n = Buffer.byteLength(h.path) + Buffer.byteLength(h.text) + 48;
  for (const l of h.before) n += Buffer.byteLength(l) + 4;
  for (const l of h.after) n += Buffer.byteLength(l) + 4;
  return n;
}

export function compareHits(a: GrepHit, b: GrepHit): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line;
}
