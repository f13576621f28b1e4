import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Redactor } from '../trace/redact';
import { DEFAULT_CACHE_MB } from './defaults';
import type { ChatMessage, ChatModel, CompleteOptions, Completion, TokenUsage } from './types';

const INDEX = 'index.jsonl';
const REPLIES = 'replies';
/** Eviction brings the cache down to this share of its bound, so it does not run at every write. */
const EVICT_TO = 0.9;

/** What a cached reply is keyed by: never the API key or a header, only what shapes the reply. */
export interface ReplyKey {
  /** The endpoint's base URL (credentials and query stripped by `endpointOf`), or e.g. `vscode.lm:copilot`. */
  endpoint: string;
  model: string;
  messages: ChatMessage[];
  /** Sampling parameters (temperature, max tokens, ...). */
  params: Record<string, unknown>;
  /** Extra key text, e.g. the workspace fingerprint for root turns. */
  salt?: string;
}

interface Entry {
  v: 1;
  key: string;
  model: string;
  text: string;
  usage: TokenUsage;
  usageEstimated?: boolean;
}

interface IndexLine {
  k: string;
  /** Bytes of the entry file. */
  b: number;
  /** Last use, epoch ms. */
  t: number;
}

/** The base URL as a cache key: scheme, host and path only (a key in `user:pass@` or `?key=` never enters). */
export function endpointOf(baseURL: string): string {
  try {
    const u = new URL(baseURL);
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return 'invalid-endpoint';
  }
}

export function replyKey(k: ReplyKey): string {
  const params = Object.keys(k.params)
    .sort()
    .map((name) => [name, k.params[name] ?? null]);
  const text = JSON.stringify(['rlm-reply-v1', k.endpoint, k.model, params, k.salt ?? null, k.messages.map((m) => [m.role, m.content])]);
  return createHash('sha256').update(text).digest('hex');
}

/** `$XDG_CACHE_HOME/rlm`, else `~/.cache/rlm`: the CLI's cache folder. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'rlm');
}

/**
 * Model replies on disk, keyed by `replyKey` (sha256): one JSON file per reply under `replies/xx/`,
 * plus an append-only `index.jsonl` of (key, bytes, last use) lines for least-recently-used eviction.
 * Several processes may share the folder: entries and the compacted index are written to a temp file
 * and renamed into place, index lines are single small appends, and eviction re-reads the index and
 * the folder, so another process's entries are counted, not lost. A damaged entry is a miss (and is
 * removed); no cache error ever reaches a run.
 */
export class ReplyCache {
  private index: Map<string, { b: number; t: number }> | undefined;
  private total = 0;
  private lines = 0;
  private busy: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    readonly maxBytes = DEFAULT_CACHE_MB * 1024 * 1024,
  ) {}

  private file(key: string): string {
    return path.join(this.dir, REPLIES, key.slice(0, 2), `${key}.json`);
  }

  async get(key: string): Promise<Completion | undefined> {
    if (!/^[0-9a-f]{64}$/.test(key)) return undefined;
    let entry: unknown;
    let bytes = 0;
    try {
      const text = await fs.promises.readFile(this.file(key), 'utf8');
      bytes = Buffer.byteLength(text);
      entry = JSON.parse(text);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') await this.drop(key);
      return undefined;
    }
    if (!isEntry(entry, key)) {
      await this.drop(key);
      return undefined;
    }
    await this.note({ k: key, b: bytes, t: Date.now() });
    return { text: entry.text, model: entry.model, usage: entry.usage, ...(entry.usageEstimated ? { usageEstimated: true } : {}) };
  }

  /** Stores a whole reply (callers store only successful, complete ones). */
  async put(key: string, c: Completion): Promise<void> {
    const entry: Entry = { v: 1, key, model: c.model, text: c.text, usage: { promptTokens: c.usage.promptTokens, completionTokens: c.usage.completionTokens } };
    if (c.usageEstimated) entry.usageEstimated = true;
    const text = JSON.stringify(entry);
    const bytes = Buffer.byteLength(text);
    if (bytes > this.maxBytes / 4) return; // one reply never takes over the cache
    try {
      const file = this.file(key);
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      await writeAtomic(file, text);
      await this.note({ k: key, b: bytes, t: Date.now() });
    } catch {
      // A full disk or a read-only folder: the run goes on without caching.
    }
  }

  /** Removes every entry and the index. */
  async clear(): Promise<void> {
    await this.serial(async () => {
      await fs.promises.rm(path.join(this.dir, REPLIES), { recursive: true, force: true });
      await fs.promises.rm(path.join(this.dir, INDEX), { force: true });
      this.index = new Map();
      this.total = 0;
      this.lines = 0;
    });
  }

  /** Bytes and entries as this process knows them (after `load`). */
  async stats(): Promise<{ entries: number; bytes: number }> {
    const index = await this.load();
    return { entries: index.size, bytes: this.total };
  }

  private serial(work: () => Promise<void>): Promise<void> {
    const next = this.busy.then(work, work);
    this.busy = next.catch(() => undefined);
    return next;
  }

  private async load(): Promise<Map<string, { b: number; t: number }>> {
    if (this.index) return this.index;
    const index = await readIndex(this.dir);
    // No index (deleted, or never written by an older version): count what is on disk. Otherwise
    // entries an index missed (a line lost to a concurrent compaction) are found by the next compaction.
    if (index.lines === 0) for (const [key, e] of await listEntries(this.dir)) index.map.set(key, e);
    this.index = index.map;
    this.lines = index.lines;
    this.total = sum(index.map);
    return this.index;
  }

  /** Records a use (or a new entry) and evicts past the bound. */
  private note(line: IndexLine): Promise<void> {
    return this.serial(async () => {
      const index = await this.load();
      const old = index.get(line.k);
      this.total += line.b - (old?.b ?? 0);
      index.set(line.k, { b: line.b, t: line.t });
      try {
        await fs.promises.mkdir(this.dir, { recursive: true });
        await fs.promises.appendFile(path.join(this.dir, INDEX), `${JSON.stringify(line)}\n`);
        this.lines++;
      } catch {
        return;
      }
      if (this.total > this.maxBytes || this.lines > 4 * index.size + 1000) await this.compact();
    }).catch(() => undefined);
  }

  private async drop(key: string): Promise<void> {
    await fs.promises.rm(this.file(key), { force: true }).catch(() => undefined);
    const index = await this.load();
    const old = index.get(key);
    if (old) {
      this.total -= old.b;
      index.delete(key);
    }
  }

  /** Re-reads the index (other processes append too) and the folder, drops least-recently-used
   *  entries down to EVICT_TO of the bound, and rewrites the index compacted (temp + rename). */
  private async compact(): Promise<void> {
    const { map } = await readIndex(this.dir);
    for (const [key, e] of await listEntries(this.dir)) {
      const known = map.get(key);
      if (!known) map.set(key, e);
      else known.b = e.b;
    }
    for (const key of [...map.keys()]) if (!(await exists(this.file(key)))) map.delete(key);
    let total = sum(map);
    if (total > this.maxBytes) {
      const oldestFirst = [...map].sort((a, b) => a[1].t - b[1].t);
      for (const [key, e] of oldestFirst) {
        if (total <= this.maxBytes * EVICT_TO) break;
        await fs.promises.rm(this.file(key), { force: true }).catch(() => undefined);
        map.delete(key);
        total -= e.b;
      }
    }
    const text = [...map].map(([k, e]) => JSON.stringify({ k, b: e.b, t: e.t })).join('\n');
    await writeAtomic(path.join(this.dir, INDEX), text ? `${text}\n` : '');
    this.index = map;
    this.total = total;
    this.lines = map.size;
  }
}

/** A model whose successful, complete replies are stored in `cache`, and whose `lookup` reads them.
 *  `endpoint` is the base URL (see `endpointOf`); `params` the sampling settings the model sends.
 *  A reply holding one of `secrets` (the API key) or a key-like string is never stored: the key
 *  is hashed, the reply would be kept as text. */
export function withReplyCache(model: ChatModel, cache: ReplyCache, endpoint: string, secrets: string[], params: Record<string, unknown> = {}): ChatModel {
  const redactor = new Redactor(secrets);
  const key = (messages: ChatMessage[], options: CompleteOptions = {}) =>
    replyKey({ endpoint, model: model.id, messages, params: { ...params, maxTokens: options.maxTokens }, salt: options.cacheSalt });
  return {
    id: model.id,
    async complete(messages, options) {
      const c = await model.complete(messages, options);
      // Only a whole reply: an error or an abort threw above; a reply cut at max tokens or by a filter is not kept.
      const whole = c.finishReason === undefined || c.finishReason === 'stop';
      if (!c.cached && whole && redactor.text(c.text) === c.text) await cache.put(key(messages, options), c);
      return c;
    },
    async lookup(messages, options) {
      const hit = await cache.get(key(messages, options)).catch(() => undefined);
      return hit && { ...hit, cached: true };
    },
  };
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.promises.writeFile(tmp, text, { mode: 0o600 });
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

async function readIndex(dir: string): Promise<{ map: Map<string, { b: number; t: number }>; lines: number }> {
  const map = new Map<string, { b: number; t: number }>();
  let text = '';
  try {
    text = await fs.promises.readFile(path.join(dir, INDEX), 'utf8');
  } catch {
    return { map, lines: 0 };
  }
  let lines = 0;
  for (const raw of text.split('\n')) {
    if (!raw) continue;
    lines++;
    try {
      const l = JSON.parse(raw) as IndexLine;
      if (typeof l.k !== 'string' || !/^[0-9a-f]{64}$/.test(l.k) || !Number.isFinite(l.b) || !Number.isFinite(l.t)) continue;
      const old = map.get(l.k);
      map.set(l.k, { b: l.b, t: Math.max(l.t, old?.t ?? 0) });
    } catch {
      // A damaged line (a crash mid-append): skipped.
    }
  }
  return { map, lines };
}

/** Entry files on disk (with their size and modification time), for entries the index missed. */
async function listEntries(dir: string): Promise<Map<string, { b: number; t: number }>> {
  const out = new Map<string, { b: number; t: number }>();
  const root = path.join(dir, REPLIES);
  let shards: string[] = [];
  try {
    shards = await fs.promises.readdir(root);
  } catch {
    return out;
  }
  for (const shard of shards) {
    let names: string[] = [];
    try {
      names = await fs.promises.readdir(path.join(root, shard));
    } catch {
      continue;
    }
    for (const name of names) {
      const m = /^([0-9a-f]{64})\.json$/.exec(name);
      const file = path.join(root, shard, name);
      try {
        const st = await fs.promises.stat(file);
        // A temp file left by a killed writer is removed once it is old enough not to be in use.
        if (!m) {
          if (name.endsWith('.tmp') && Date.now() - st.mtimeMs > 60_000) await fs.promises.rm(file, { force: true });
          continue;
        }
        out.set(m[1], { b: st.size, t: st.mtimeMs });
      } catch {
        // Gone meanwhile.
      }
    }
  }
  return out;
}

async function exists(file: string): Promise<boolean> {
  return fs.promises.access(file).then(
    () => true,
    () => false,
  );
}

function sum(map: Map<string, { b: number }>): number {
  let n = 0;
  for (const e of map.values()) n += e.b;
  return n;
}

function isEntry(v: unknown, key: string): v is Entry {
  if (!v || typeof v !== 'object') return false;
  const e = v as Partial<Entry>;
  return (
    e.v === 1 &&
    e.key === key &&
    typeof e.model === 'string' &&
    typeof e.text === 'string' &&
    !!e.usage &&
    Number.isFinite(e.usage.promptTokens) &&
    Number.isFinite(e.usage.completionTokens)
  );
}
