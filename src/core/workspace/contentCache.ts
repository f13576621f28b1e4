/** Least-recently-used cache of file texts (or anything built from one), bounded by bytes: those
 *  the text came from, plus what is attached later (a line index). */
export class ContentCache<T = string> {
  private readonly entries = new Map<string, { text: T; bytes: number }>();
  private used = 0;
  /** Counts drop() calls: a read that began before a drop may hold the old text, so it is not kept
   *  (see Workspace.readText). */
  private drops = 0;

  constructor(readonly maxBytes: number) {}

  get epoch(): number {
    return this.drops;
  }

  /** Forgets `key` (its file changed on disk). */
  drop(key: string): void {
    this.drops++;
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.used -= e.bytes;
  }

  get(key: string): T | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    // Re-insert: Map keeps insertion order, so the oldest key is the least recently used.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.text;
  }

  /** Whether `key` is cached, without touching its recency. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  set(key: string, text: T, bytes: number): void {
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.used -= old.bytes;
    }
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { text, bytes });
    this.used += bytes;
    this.evict();
  }

  /** Counts `bytes` more against an entry (something built from its text and kept with it). */
  grow(key: string, bytes: number): void {
    const e = this.entries.get(key);
    if (!e) return;
    e.bytes += bytes;
    this.used += bytes;
    this.evict();
  }

  private evict(): void {
    for (const [k, e] of this.entries) {
      if (this.used <= this.maxBytes) break;
      this.entries.delete(k);
      this.used -= e.bytes;
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.used;
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }
}
