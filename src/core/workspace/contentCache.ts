/** Least-recently-used cache of file texts, bounded by the bytes the texts came from. */
export class ContentCache {
  private readonly entries = new Map<string, { text: string; bytes: number }>();
  private used = 0;

  constructor(readonly maxBytes: number) {}

  get(key: string): string | undefined {
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

  set(key: string, text: string, bytes: number): void {
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.used -= old.bytes;
    }
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { text, bytes });
    this.used += bytes;
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
