/** Text helpers shared by the host and the sandbox process: escaping and head+tail truncation. */

// C0 (except tab and newline), DEL, C1, and the bidi controls that can reorder what a reader sees.
const UNSAFE_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Escapes control and bidi characters as `\uXXXX`, so output cannot drive a terminal or hide text. */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE_CHARS, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** 12345 -> "12,345" (toLocaleString is tamed inside SES, so do it by hand). */
export function groupThousands(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function cutNote(chars: number): string {
  return `\n... [${groupThousands(chars)} characters cut] ...\n`;
}

/** Avoids splitting a surrogate pair at a cut. */
function safeEnd(s: string, end: number): number {
  const c = s.charCodeAt(end - 1);
  return c >= 0xd800 && c <= 0xdbff ? end - 1 : end;
}
function safeStart(s: string, start: number): number {
  const c = s.charCodeAt(start);
  return c >= 0xdc00 && c <= 0xdfff ? start + 1 : start;
}

/** Keeps the first and last half of `limit` characters and states how much was cut. */
export function headTail(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const head = Math.ceil(limit / 2);
  const tail = limit - head;
  const h = text.slice(0, safeEnd(text, head));
  const t = text.slice(safeStart(text, text.length - tail));
  return h + cutNote(text.length - h.length - t.length) + t;
}

/** An append-only text buffer that never holds more than about `limit` characters:
 *  the head is kept as written, the tail as a sliding window, the middle is counted. */
export class BoundedText {
  private headText = '';
  private tail = '';
  private total = 0;
  private readonly headLimit: number;
  private readonly tailLimit: number;

  constructor(readonly limit: number) {
    this.headLimit = Math.ceil(limit / 2);
    this.tailLimit = limit - this.headLimit;
  }

  /** The first half, as written. */
  get head(): string {
    return this.headText;
  }

  get length(): number {
    return this.total;
  }

  append(s: string): void {
    if (!s) return;
    this.total += s.length;
    const room = this.headLimit - this.headText.length;
    if (room > 0) {
      this.headText += s.slice(0, room);
      s = s.slice(room);
      if (!s) return;
    }
    this.tail += s.length > this.tailLimit ? s.slice(s.length - this.tailLimit) : s;
    // Trim lazily so that many small appends stay linear.
    if (this.tail.length > 2 * this.tailLimit + 1024) this.tail = this.tail.slice(this.tail.length - this.tailLimit);
  }

  toString(): string {
    const kept = this.headText.length + this.tail.length;
    if (this.total <= this.limit && kept === this.total) return this.headText + this.tail;
    const t = this.tail.slice(safeStart(this.tail, Math.max(0, this.tail.length - this.tailLimit)));
    return this.headText + cutNote(this.total - this.headText.length - t.length) + t;
  }
}
