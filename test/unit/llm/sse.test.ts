import { strict as assert } from 'node:assert';
import { readBounded, SseError, SseParser, type SseEvent } from '../../../src/core/llm/sse';

const bytes = (s: string) => new TextEncoder().encode(s);

/** Feeds `text` in pieces of `size` bytes (splitting lines, CRLFs and UTF-8 characters anywhere). */
function parseInPieces(text: string, size: number, maxLine?: number): SseEvent[] {
  const parser = new SseParser(maxLine);
  const all = bytes(text);
  const out: SseEvent[] = [];
  for (let i = 0; i < all.length; i += size) out.push(...parser.push(all.subarray(i, i + size)));
  out.push(...parser.end());
  return out;
}

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const ch of chunks) c.enqueue(bytes(ch));
      c.close();
    },
  });
}

describe('SseParser', () => {
  const wire = 'data: {"a":"héllo — ✓"}\r\n\r\n: keep-alive\r\n\r\ndata: one\ndata: two\n\nevent: error\ndata: {"error":1}\r\rdata: [DONE]\n\n';
  const expected: SseEvent[] = [{ data: '{"a":"héllo — ✓"}' }, { data: 'one\ntwo' }, { event: 'error', data: '{"error":1}' }, { data: '[DONE]' }];

  it('reads the same events at every chunk boundary (CRLF, CR, LF, multi-byte characters split)', () => {
    for (let size = 1; size <= 17; size++) assert.deepEqual(parseInPieces(wire, size), expected, `chunks of ${size} bytes`);
    assert.deepEqual(parseInPieces(wire, 1 << 20), expected, 'one chunk');
  });

  it('skips comments (keep-alives) and fields a chat stream does not use', () => {
    assert.deepEqual(parseInPieces(': ping\n\nid: 7\nretry: 100\nfoo\ndata:x\n\n:\n\n', 3), [{ data: 'x' }]);
  });

  it('dispatches a last event whose stream ended without a blank line', () => {
    assert.deepEqual(parseInPieces('data: a\n\ndata: [DONE]', 4), [{ data: 'a' }, { data: '[DONE]' }]);
  });

  it('refuses a line over the limit with a message naming the limit (a line that never ends too)', () => {
    assert.throws(() => parseInPieces(`data: ${'x'.repeat(200)}\n\n`, 7, 100), (e: unknown) => e instanceof SseError && /longer than 100 characters \(the event-stream line limit\)/.test(e.message));
    const parser = new SseParser(100);
    assert.throws(() => {
      for (let i = 0; i < 50; i++) parser.push(bytes('yyyyy'));
    }, SseError);
  });

  it('bounds the data of one event made of many short lines', () => {
    assert.throws(() => parseInPieces(`${'data: abcdefgh\n'.repeat(20)}\n`, 5, 100), SseError);
  });
});

describe('readBounded', () => {
  it('reads a body whole when it fits', async () => {
    const seen: string[] = [];
    const r = await readBounded(streamOf(['ab', 'cd']), 10, (b) => void seen.push(new TextDecoder().decode(b)));
    assert.deepEqual(r, { bytes: 4, cut: false });
    assert.deepEqual(seen, ['ab', 'cd']);
  });

  it('cuts at the limit, handing on the bytes that fit', async () => {
    const seen: string[] = [];
    const r = await readBounded(streamOf(['abcd', 'efgh', 'ijkl']), 6, (b) => void seen.push(new TextDecoder().decode(b)));
    assert.deepEqual(r, { bytes: 6, cut: true });
    assert.equal(seen.join(''), 'abcdef');
  });

  it('stops reading when the consumer has what it needs', async () => {
    let calls = 0;
    const r = await readBounded(streamOf(['a', 'b', 'c']), 10, () => ++calls === 2);
    assert.deepEqual(r, { bytes: 2, cut: false });
  });
});
