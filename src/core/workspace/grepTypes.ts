import type { GrepHit } from './types';

/** Longest line text (and context line) a hit carries. */
export const MAX_HIT_LINE_CHARS = 500;

/** What one grep asks of an engine, already validated. */
export interface GrepQuery {
  pattern: string;
  ignoreCase: boolean;
  maxResults: number;
  contextLines: number;
  /** Whether a workspace path may appear in the hits (listed in the map, matches the glob). */
  accept(path: string): boolean;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Messages between the host and the JS grep worker process. */
export type WorkerRequest =
  | { type: 'init'; pattern: string; flags: string; contextLines: number; maxHits: number; maxFileBytes: number }
  | { type: 'batch'; files: WorkerFile[] };

/** A file to search: its text, its UTF-8 bytes, or (on a local disk) where the worker reads it. */
export interface WorkerFile {
  path: string;
  text?: string;
  bytes?: Uint8Array;
  local?: LocalFile;
}

/** A mapped file on the local disk: absolute root (the source's localRoot) and root-relative path. */
export interface LocalFile {
  root: string;
  rel: string;
}

export type WorkerReply = { type: 'hits'; hits: GrepHit[] } | { type: 'error'; message: string };

export function cutLine(text: string): string {
  return text.length > MAX_HIT_LINE_CHARS ? text.slice(0, MAX_HIT_LINE_CHARS) + '…' : text;
}

export function compareHits(a: GrepHit, b: GrepHit): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line;
}
