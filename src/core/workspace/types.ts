import type { CodeStructure, StructureLimits } from '../structure/types';

/** What the workspace map and the file endowments are built on. Implemented over Node `fs` (core)
 *  and over `vscode.workspace.fs` (extension). All paths are POSIX, relative to the source's root. */
export type EntryKind = 'file' | 'directory' | 'symlink' | 'other';

export interface DirEntry {
  name: string;
  kind: EntryKind;
}

export interface FileStat {
  kind: EntryKind;
  size: number;
  mtimeMs: number;
  /** Hard links to the file, when the source knows them (local disks). */
  links?: number;
}

export interface ReadOptions {
  /** Refuse a file with more than one hard link (RlmError 'file-hardlink'): its other name may be
   *  a secret the scan cannot see (in an ignored folder or outside the workspace). */
  singleLink?: boolean;
}

export interface FileSource {
  /** Absolute local directory of the root when files are on the local disk (lets ripgrep run);
   *  undefined for remote or virtual file systems. Never shown to model code. */
  readonly localRoot?: string;
  readDir(relPath: string): Promise<DirEntry[]>;
  /** Does not follow a final symlink. */
  lstat(relPath: string): Promise<FileStat>;
  /** Resolves every symlink; returns the root-relative POSIX path of the target, or undefined
   *  when the target lies outside the root or does not exist. */
  realpath(relPath: string): Promise<string | undefined>;
  /** Reads at most `maxBytes` bytes of a regular file; refuses FIFOs, devices and sockets. */
  readFile(relPath: string, maxBytes: number, options?: ReadOptions): Promise<Uint8Array>;
  /** Optional synchronous fast path for local disks, which the scanner calls in time slices of a
   *  few milliseconds: for a small file an async fs call costs several times the read itself, and
   *  a map of 100k files must build about as fast as ripgrep reads them. */
  readDirSync?(relPath: string): DirEntry[];
  /** Like readFile (regular files only, last component never a symlink, capped), minus the
   *  realpath re-check: for the scan's metadata (size, lines, binary) only, never for text shown
   *  to model code. The scan walks with lstat and never follows a link, so the path is inside.
   *  The bytes may live in a reused buffer: valid until the next call. */
  readForScanSync?(relPath: string, maxBytes: number): Uint8Array;
}

/** One root of a (possibly multi-root) workspace. With several roots, map paths are `name/rel`. */
export interface WorkspaceRoot {
  name: string;
  source: FileSource;
}

export interface FileInfo {
  /** POSIX path relative to the workspace (prefixed by the root name when multi-root). */
  path: string;
  size: number;
  lines: number;
  language: string;
}

export type SkipReason = 'binary' | 'too-large' | 'secret' | 'unreadable' | 'special' | 'symlink-outside';

export interface SkippedFile {
  path: string;
  reason: SkipReason;
  size?: number;
}

export interface DirNode {
  name: string;
  path: string;
  /** Totals over the whole subtree. */
  files: number;
  bytes: number;
  lines: number;
  dirs: DirNode[];
  /** Names of files directly in this directory. */
  fileNames: string[];
}

export interface LanguageTotals {
  files: number;
  lines: number;
  bytes: number;
}

/** The frozen, metadata-only map that model code sees as `context`. */
export interface ContextMap {
  root: string;
  roots: string[];
  files: FileInfo[];
  tree: DirNode;
  languages: Record<string, LanguageTotals>;
  totals: { files: number; bytes: number; lines: number; skipped: number };
  skipped: SkippedFile[];
  /** Workspace path of the folder the map is limited to (ScanOptions.scope), when set. */
  scope?: string;
}

export interface ReadRange {
  /** 1-based, inclusive. */
  start?: number;
  /** 1-based, inclusive. */
  end?: number;
  /** Rows `"<n>: <text>"` with true line numbers, under a first row `[path: lines a-b of N]`. */
  numbered?: boolean;
}

/** 'hits': matching lines; 'files': [{path, count}] per matching file; 'count': totals and per-file counts. */
export type GrepMode = 'hits' | 'files' | 'count';

export interface GrepOptions {
  glob?: string;
  /** Globs (comma list) of paths to leave out. */
  exclude?: string;
  ignoreCase?: boolean;
  maxResults?: number;
  contextLines?: number;
  mode?: GrepMode;
}

export interface GrepFileCount {
  path: string;
  count: number;
}

export interface GrepHit {
  path: string;
  line: number;
  text: string;
  before: string[];
  after: string[];
}

export interface GrepResult {
  hits: GrepHit[];
  /** True when maxResults, the hard cap or the reply's byte cap cut the list. */
  truncated: boolean;
  /** Says what cut the reply (and the real cap) or that maxResults was clamped, and what to do instead. */
  note?: string;
  /** Matching lines in the searched files, counted even when the hits are cut. */
  total: number;
  /** Files with a match. */
  files: number;
  /** Counting stopped at the time limit: total and files are lower bounds. */
  partial?: boolean;
  /** Modes 'files' (path order) and 'count' (most matches first): matching lines per file, cut to the list's cap. */
  perFile?: GrepFileCount[];
}

/** Host-side access to one scanned workspace: what the sandbox's file endowments call. Every
 *  refusal is an RlmError with a workspace-relative message. */
export interface WorkspaceAccess {
  readonly context: ContextMap;
  /** `signal` aborts when the calling cell ends: work not yet done is dropped. */
  readFile(path: string, range?: ReadRange, signal?: AbortSignal): Promise<string>;
  /** `signal` aborts when the calling cell ends: a queued search never starts, a running one is killed. */
  grep(pattern: string, options: GrepOptions, signal?: AbortSignal): Promise<GrepResult>;
  /** True when `path` (optionally with a line) names a readable file of the map: used to verify
   *  file references before they become links. */
  hasFile(path: string): boolean;
  /** outline/enclosing/definitions/references; absent where the host offers none. */
  readonly structure?: CodeStructure;
}

export interface ScanOptions {
  /** Extra user globs to exclude (gitignore syntax). */
  excludes?: string[];
  /** Secret patterns the user opted out of (e.g. ['.env.example']): only these become readable. */
  allowSecrets?: string[];
  /** Files above this are listed as skipped 'too-large'. Default 1 MiB. */
  maxFileBytes?: number;
  /** Root-relative folder (of the first root) the map and endowments are limited to; paths stay workspace-relative. */
  scope?: string;
  /** Bytes of file text kept in the content cache. Default 64 MiB. */
  cacheBytes?: number;
  /** ripgrep binary; default: `rg` on PATH, else the JS engine in a killable worker process. */
  rgPath?: string;
  /** Which grep engine to use: 'auto' (ripgrep when it can, else JS in a worker process) or 'js'. */
  grepEngine?: 'auto' | 'js';
  /** Script of the JS grep worker process; default `grepWorker.js` beside the bundle. */
  grepWorkerPath?: string;
  /** Kill timer of one grep (ripgrep or the JS worker). Default 10 s. */
  grepTimeoutMs?: number;
  /** Bytes of one grep reply (hit and context lines together); past it the hits are cut and the
   *  result says so. Default 256 KiB. */
  maxGrepBytes?: number;
  /** Mask secrets inside file text (private keys, cloud and SaaS tokens, `knownSecrets`) before
   *  readFile and grep return it. Default true; off only for a workspace the user trusts. */
  maskSecrets?: boolean;
  /** Values masked wherever they appear in a file (the configured API key). */
  knownSecrets?: readonly string[];
  /** Longest pattern grep accepts. Default 1,000 characters. */
  maxPatternChars?: number;
  /** Threads that read files while a local-disk scan walks (0: read on the walking thread).
   *  Default: cores - 1, at most 4; 0 on a machine of 2 cores or fewer. */
  scanThreads?: number;
  /** Limits of outline/enclosing/definitions/references (see StructureLimits for defaults). */
  structure?: Partial<StructureLimits>;
  /** Script of the parser thread; default `structureWorker.js` beside the bundle. */
  structureWorkerPath?: string;
  signal?: AbortSignal;
}
