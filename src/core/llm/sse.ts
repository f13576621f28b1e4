/**
 * Reading a model reply off the wire, bounded. Hand-written rather than the `openai` SDK's stream
 * parser because that one has no bound on a line's length or on a reply's size: an endpoint that
 * never ends a line, or never ends its stream, must not grow the extension host's memory without limit.
 *
 * `SseParser` follows the WHATWG event-stream format (https://html.spec.whatwg.org/multipage/server-sent-events.html):
 * lines end in CRLF, LF or CR (also split across chunks), `:` starts a comment (keep-alives), `data:`
 * lines of one event join with "\n", a blank line dispatches. Bytes are decoded as a stream, so a
 * character split across chunks survives.
 */

/** Bytes read from one model reply (streamed or not); a streamed reply is cut there, a plain one fails. */
export const MODEL_REPLY_BYTES = 8 * 1024 * 1024;
/** Characters of one event-stream line (and of one event's data). */
export const SSE_LINE_CHARS = 1024 * 1024;

/** The stream broke the event-stream format or a limit; the message says which (no server text in it). */
export class SseError extends Error {}

export interface SseEvent {
  /** The `event:` field, when the server named the event. */
  event?: string;
  data: string;
}

export class SseParser {
  private readonly decoder = new TextDecoder('utf-8');
  private line = '';
  private data: string[] = [];
  private dataChars = 0;
  private event: string | undefined;
  /** The previous chunk ended in CR: a LF starting the next one belongs to it. */
  private afterCr = false;

  constructor(private readonly maxLineChars = SSE_LINE_CHARS) {}

  /** Feeds bytes; returns the events they completed. */
  push(bytes: Uint8Array): SseEvent[] {
    return this.feed(this.decoder.decode(bytes, { stream: true }));
  }

  /** The end of the stream: a last line without its newline still counts, a pending event dispatches. */
  end(): SseEvent[] {
    const out = this.feed(this.decoder.decode());
    if (this.line) this.takeLine(this.line, out);
    this.line = '';
    this.dispatch(out);
    return out;
  }

  private feed(text: string): SseEvent[] {
    const out: SseEvent[] = [];
    let start = 0;
    if (this.afterCr && text.startsWith('\n')) start = 1;
    this.afterCr = false;
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.takeLine(this.line + text.slice(start, i), out);
      this.line = '';
      if (c === 13) {
        if (i + 1 === text.length) this.afterCr = true;
        else if (text.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.line += text.slice(start);
    this.checkLength(this.line.length);
    return out;
  }

  private checkLength(chars: number): void {
    if (chars > this.maxLineChars) {
      throw new SseError(`an event-stream line longer than ${this.maxLineChars.toLocaleString('en-US')} characters (the event-stream line limit)`);
    }
  }

  private takeLine(line: string, out: SseEvent[]): void {
    this.checkLength(line.length);
    if (line === '') return this.dispatch(out);
    if (line.startsWith(':')) return; // a comment: keep-alives
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') {
      this.dataChars += value.length + 1;
      this.checkLength(this.dataChars);
      this.data.push(value);
    } else if (field === 'event') this.event = value;
    // id, retry and unknown fields mean nothing to a chat completion.
  }

  private dispatch(out: SseEvent[]): void {
    if (this.data.length) out.push(this.event !== undefined ? { event: this.event, data: this.data.join('\n') } : { data: this.data.join('\n') });
    this.data = [];
    this.dataChars = 0;
    this.event = undefined;
  }
}

/** A reply's bytes, read up to `maxBytes`; `cut` when the body had more (the rest is not read). */
export async function readBounded(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  onChunk: (bytes: Uint8Array) => boolean | void,
): Promise<{ bytes: number; cut: boolean }> {
  if (!body) return { bytes: 0, cut: false };
  const reader = body.getReader();
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { bytes, cut: false };
      if (bytes + value.byteLength > maxBytes) {
        const room = maxBytes - bytes;
        if (room > 0) onChunk(value.subarray(0, room));
        return { bytes: maxBytes, cut: true };
      }
      bytes += value.byteLength;
      // true: the consumer has all it needs ([DONE]); stop reading.
      if (onChunk(value) === true) return { bytes, cut: false };
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

/** What a limit cut from a streamed reply says, appended to the text the model sent so far. */
export function replyCutNote(maxBytes: number): string {
  return `\n\n[reply cut at ${formatBytes(maxBytes)}: the model reply limit]`;
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n.toLocaleString('en-US')} bytes`;
}
