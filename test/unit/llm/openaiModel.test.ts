import * as assert from 'node:assert/strict';
import { ModelError } from '../../../src/core/llm/modelError';
import { OpenAIChatModel, type OpenAIChatModelOptions, type RetryInfo } from '../../../src/core/llm/openaiModel';
import type { ChatMessage } from '../../../src/core/llm/types';
import { startFakeServer, type FakeScript, type FakeServer } from '../../fakeServer/server';

const KEY = 'sk-test-SECRETSECRET-0123456789abcdef';
const ask: ChatMessage[] = [
  { role: 'system', content: 'You are a test.' },
  { role: 'user', content: 'What is in the repo?' },
];

/** Polls a condition of the fake server's state (no timing assertion: it just waits for a state). */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

async function failure(p: Promise<unknown>): Promise<ModelError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ModelError, `expected a ModelError, got ${String(err)}`);
    assertNoKey(err); // whatever the failure, the key is never in it
    return err;
  }
  assert.fail('expected the call to fail');
}

function assertNoKey(err: unknown): void {
  const e = err as Error;
  assert.ok(!e.message.includes(KEY), `key in message: ${e.message}`);
  assert.ok(!JSON.stringify({ ...e, message: e.message }).includes(KEY), 'key in error fields');
  assert.ok(!String(e.stack ?? '').includes(KEY), 'key in stack');
}

describe('OpenAIChatModel against the fake server', () => {
  let server: FakeServer | undefined;
  const retries: RetryInfo[] = [];

  async function setup(script: FakeScript, options: Partial<OpenAIChatModelOptions> = {}) {
    server = await startFakeServer(script);
    retries.length = 0;
    const model = new OpenAIChatModel({
      baseURL: server.url,
      apiKey: KEY,
      model: 'root-model',
      retryBaseMs: 1,
      retryMaxDelayMs: 5,
      timeoutMs: 5000,
      onRetry: (r) => retries.push(r),
      ...options,
    });
    return { server, model };
  }

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  describe('replies', () => {
    it('returns a plain completion with the reported usage', async () => {
      const { server, model } = await setup({ models: { 'root-model': { turns: ['first', 'second'] } } }, { stream: false });
      const a = await model.complete(ask);
      const b = await model.complete(ask);
      assert.equal(a.text, 'first');
      assert.equal(b.text, 'second');
      assert.equal(a.model, 'root-model');
      const chars = ask.reduce((n, m) => n + m.content.length, 0);
      assert.deepEqual(a.usage, { promptTokens: Math.ceil(chars / 4), completionTokens: 2 });
      assert.equal(a.usageEstimated, undefined);
      assert.equal(server.requests.length, 2);
      assert.equal(server.requests[0].stream, false);
      assert.equal(server.requests[0].headers.authorization, `Bearer ${KEY}`);
    });

    it('streams deltas and reads usage from the final chunk', async () => {
      const text = 'A streamed reply that spans several chunks of sixteen characters.';
      const { server, model } = await setup({ models: { 'root-model': { turns: [text] } } });
      const deltas: string[] = [];
      const c = await model.complete(ask, { onDelta: (d) => deltas.push(d) });
      assert.equal(c.text, text);
      assert.ok(deltas.length > 1, 'several deltas');
      assert.equal(deltas.join(''), text);
      assert.equal(c.usage.completionTokens, Math.ceil(text.length / 4));
      const body = server.requests[0].body as { stream?: boolean; stream_options?: { include_usage?: boolean } };
      assert.equal(body.stream, true);
      assert.equal(body.stream_options?.include_usage, true);
    });

    it('cuts a streamed reply at the model reply limit, keeping what arrived, with the limit named', async () => {
      const text = 'x'.repeat(4000);
      const { model } = await setup({ models: { 'root-model': { turns: [text] } } }, { maxReplyBytes: 1500 });
      let shown = '';
      const c = await model.complete(ask, { onDelta: (d) => (shown += d) });
      assert.match(c.text, /^x+\n\n\[reply cut at 1,500 bytes: the model reply limit\]$/);
      assert.ok(c.text.length < 1500, 'only what fits in the limit (with the chunks\' JSON around it)');
      assert.equal(shown, c.text, 'the consumer saw the same text, note included');
    });

    it('refuses a plain reply over the model reply limit, naming the limit, without a retry', async () => {
      const { server, model } = await setup({ models: { 'root-model': { turns: ['y'.repeat(4000)] } } }, { stream: false, maxReplyBytes: 1024 });
      const e = await failure(model.complete(ask));
      assert.match(e.message, /over 1 KiB \(the model reply limit\)/);
      assert.equal(server.requests.length, 1);
    });

    it('refuses a stream line over the event-stream line limit, without a retry', async () => {
      const { server, model } = await setup({ models: { 'root-model': { turns: ['z'.repeat(400)] } }, chunkChars: 400 }, { maxLineChars: 200 });
      const e = await failure(model.complete(ask));
      assert.match(e.message, /longer than 200 characters \(the event-stream line limit\)/);
      assert.equal(server.requests.length, 1);
    });

    it("tells a call's own onRetry about each retry, with the retry budget", async () => {
      const { model } = await setup({ faults: [{ request: 0, fault: 'server-error', status: 503 }] }, { maxRetries: 3 });
      const seen: RetryInfo[] = [];
      await model.complete(ask, { onRetry: (r) => seen.push(r) });
      assert.deepEqual(seen.map((r) => [r.attempt, r.maxRetries, r.status]), [[1, 3, 503]]);
    });

    it('sends maxTokens and the configured model', async () => {
      const { server, model } = await setup({}, { stream: false, model: 'sub-model' });
      const c = await model.complete(ask, { maxTokens: 77 });
      assert.equal(c.text, 'fake reply to: What is in the repo?');
      const body = server.requests[0].body as Record<string, unknown>;
      assert.equal(body.model, 'sub-model');
      assert.equal(body.max_tokens, 77);
    });

    it('estimates usage and says so when the endpoint reports none', async () => {
      const { model } = await setup({ usage: false });
      const c = await model.complete(ask);
      assert.equal(c.usageEstimated, true);
      assert.ok(c.usage.promptTokens > 0);
      assert.equal(c.usage.completionTokens, Math.ceil(c.text.length / 4));
    });

    it('uses a plain JSON answer to a streamed request, and stops streaming', async () => {
      const { server, model } = await setup({ streaming: 'ignore', models: { 'root-model': { turns: ['one', 'two'] } } });
      assert.equal((await model.complete(ask)).text, 'one');
      assert.equal((await model.complete(ask)).text, 'two');
      assert.deepEqual(server.requests.map((r) => (r.body as { stream?: boolean }).stream), [true, false]);
      assert.equal(model.streams, false);
    });

    it('falls back to plain requests, once, when the endpoint cannot stream', async () => {
      const { server, model } = await setup({ streaming: false });
      const a = await model.complete(ask);
      assert.equal(a.text, 'fake reply to: What is in the repo?');
      assert.deepEqual(server.requests.map((r) => [r.stream, r.outcome]), [[true, 'no-stream'], [false, 'reply']]);
      assert.equal(model.streams, false);
      await model.complete(ask);
      assert.equal(server.requests.length, 3);
      assert.equal(server.requests[2].stream, false, 'remembered: no second streaming attempt');
      assert.equal(retries.length, 0, 'a fallback is not a retry');
    });
  });

  describe('transient faults are retried', () => {
    it('honours Retry-After on 429, then succeeds', async () => {
      const { server, model } = await setup({ faults: [{ request: 0, fault: 'rate-limit', retryAfter: '0.02' }] });
      const c = await model.complete(ask);
      assert.equal(c.text, 'fake reply to: What is in the repo?');
      assert.equal(server.requests.length, 2);
      assert.equal(retries.length, 1);
      assert.equal(retries[0].status, 429);
      assert.equal(retries[0].retryAfterMs, 20);
      assert.ok(retries[0].delayMs >= 20 && retries[0].delayMs <= 22, `the wait is the server's plus ≤10% jitter, not the backoff: ${retries[0].delayMs}`);
    });

    it('caps a long Retry-After', async () => {
      const { server, model } = await setup(
        { faults: [{ request: 0, fault: 'rate-limit', retryAfter: '3600' }] },
        { maxRetryAfterMs: 15 },
      );
      await model.complete(ask);
      assert.equal(server.requests.length, 2);
      assert.equal(retries[0].retryAfterMs, 15);
      assert.ok(retries[0].delayMs >= 15 && retries[0].delayMs <= 17, String(retries[0].delayMs));
    });

    it('retries a 500, then succeeds', async () => {
      const { server, model } = await setup({ faults: [{ request: 0, fault: 'server-error' }] });
      const c = await model.complete(ask, {});
      assert.ok(c.text.length > 0);
      assert.equal(server.requests.length, 2);
      assert.equal(retries[0].code, 'server-error');
    });

    it('gives up after maxRetries with a clear server-error', async () => {
      const { server, model } = await setup({ faults: [{ fault: 'server-error', status: 503 }] }, { maxRetries: 2 });
      const e = await failure(model.complete(ask));
      assert.equal(e.code, 'server-error');
      assert.equal(e.status, 503);
      assert.equal(e.attempts, 3);
      assert.equal(server.requests.length, 3);
      assert.match(e.message, /127\.0\.0\.1:\d+/);
    });

    it('tells the consumer to discard deltas of a stream that broke off before retrying', async () => {
      const { model } = await setup(
        { models: { 'root-model': { turns: ['the whole answer'] } }, faults: [{ request: 0, fault: 'stall' }] },
        { timeoutMs: 150 },
      );
      let shown = '';
      const c = await model.complete(ask, { onDelta: (d) => (shown += d), onDeltaReset: () => (shown = '') });
      assert.equal(c.text, 'the whole answer');
      assert.equal(shown, 'the whole answer');
      assert.equal(retries[0].code, 'timeout');
    });

    it('retries after a reset connection', async () => {
      const { server, model } = await setup({ faults: [{ request: 0, fault: 'reset' }] });
      const c = await model.complete(ask);
      assert.ok(c.text.length > 0);
      assert.equal(server.requests.length, 2);
      assert.equal(retries[0].code, 'network');
    });

    it('retries malformed JSON, then succeeds', async () => {
      const { server, model } = await setup({ faults: [{ request: 0, fault: 'malformed' }] }, { stream: false });
      await model.complete(ask);
      assert.equal(server.requests.length, 2);
      assert.equal(retries[0].code, 'malformed-response');
    });

    it('gives up on malformed replies after two retries, streamed or not', async () => {
      for (const stream of [false, true]) {
        const { server, model } = await setup({ faults: [{ fault: 'malformed' }] }, { stream });
        const e = await failure(model.complete(ask));
        assert.equal(e.code, 'malformed-response');
        assert.equal(server.requests.length, 3, `stream=${stream}`);
        await server.close();
      }
    });

    it('reports empty choices clearly', async () => {
      for (const stream of [false, true]) {
        const { model } = await setup({ faults: [{ fault: 'empty-choices' }] }, { stream });
        const e = await failure(model.complete(ask));
        assert.equal(e.code, 'empty-response', `stream=${stream}`);
        assert.match(e.message, /no choices/);
        await server!.close();
      }
    });

    it('times out a hanging request (retrying a timeout once only)', async () => {
      const { server, model } = await setup({ faults: [{ fault: 'hang' }] }, { timeoutMs: 150 });
      const e = await failure(model.complete(ask));
      assert.equal(e.code, 'timeout');
      assert.match(e.message, /within/);
      assert.equal(server.requests.length, 2);
    });

    it('times out a stream that stalls after its first chunk', async () => {
      const { model } = await setup({ faults: [{ fault: 'stall' }] }, { timeoutMs: 150, maxRetries: 0 });
      const e = await failure(model.complete(ask));
      assert.equal(e.code, 'timeout');
    });

    it('names the host when the endpoint is unreachable', async () => {
      const { server, model } = await setup({});
      await server.close();
      const e = await failure(model.complete(ask));
      assert.equal(e.code, 'unreachable');
      assert.ok(e.message.includes(new URL(server.url).host), e.message);
      assertNoKey(e);
    });
  });

  it('names the host when it does not resolve', async () => {
    const model = new OpenAIChatModel({ baseURL: 'http://no-such-host.invalid/v1', apiKey: KEY, model: 'm', retryBaseMs: 1 });
    const e = await failure(model.complete(ask));
    assert.equal(e.code, 'unreachable');
    assert.match(e.message, /no-such-host\.invalid/);
  });

  it('refuses a base URL that is not http(s), without echoing it', () => {
    for (const baseURL of ['localhost:11434/v1', 'not a url', `ftp://x/${KEY}`]) {
      assert.throws(
        () => new OpenAIChatModel({ baseURL, apiKey: KEY, model: 'm' }),
        (e: unknown) => e instanceof ModelError && e.code === 'bad-url' && !e.message.includes(KEY),
      );
    }
  });

  describe('permanent errors are not retried', () => {
    it('401: bad key, one request, key never repeated even though the server echoes it', async () => {
      const { server, model } = await setup({ apiKey: 'the-right-key' });
      const e = await failure(model.complete(ask));
      assert.equal(e.code, 'http-401');
      assert.match(e.message, /API key/);
      assert.equal(server.requests.length, 1);
      assertNoKey(e);
    });

    it('429 insufficient_quota: no quota left, not retried', async () => {
      const { server, model } = await setup({ faults: [{ fault: 'quota' }] });
      const e = await failure(model.complete(ask));
      assert.equal(e.code, 'quota');
      assert.match(e.message, /no quota left/);
      assert.equal(server.requests.length, 1);
    });

    it('403: forbidden', async () => {
      const { server, model } = await setup({ faults: [{ fault: 'forbidden' }] });
      const e = await failure(model.complete(ask));
      assert.equal(e.code, 'http-403');
      assert.equal(server.requests.length, 1);
    });

    it('404 naming the model: unknown model', async () => {
      const { server, model } = await setup({ strictModels: true, models: { 'other-model': {} } });
      const e = await failure(model.complete(ask));
      assert.equal(e.code, 'model-not-found');
      assert.match(e.message, /"root-model" is not known/);
      assert.equal(server.requests.length, 1);
    });

    it('404 elsewhere: wrong base URL', async () => {
      const { server } = await setup({});
      const model = new OpenAIChatModel({ baseURL: server.url.replace(/\/v1$/, '/api'), apiKey: KEY, model: 'root-model' });
      const e = await failure(model.complete(ask));
      assert.equal(e.code, 'bad-url');
      assert.match(e.message, /base URL/);
      assert.equal(server.requests.length, 1);
    });

    it('400 with context-length wording: prompt too long', async () => {
      const { server, model } = await setup({ models: { 'root-model': { contextTokens: 5 } } });
      const e = await failure(model.complete(ask));
      assert.equal(e.code, 'context-length');
      assert.match(e.message, /too long for model root-model/);
      assert.equal(server.requests.length, 1);
    });

    it('other 400: the server\'s reason, one request', async () => {
      const { server, model } = await setup({ faults: [{ fault: 'bad-request' }] });
      const e = await failure(model.complete(ask));
      assert.equal(e.code, 'http-400');
      assert.match(e.message, /temperature/);
      assert.equal(server.requests.length, 1);
    });
  });

  describe('cancellation', () => {
    it('aborts a hanging request at once', async () => {
      const { server, model } = await setup({ faults: [{ fault: 'hang' }] }, { timeoutMs: 60_000 });
      const ac = new AbortController();
      const p = model.complete(ask, { signal: ac.signal });
      await until(() => server.stats().inFlight === 1);
      ac.abort();
      const e = await failure(p);
      assert.equal(e.code, 'cancelled');
      await until(() => server.stats().inFlight === 0);
      assert.equal(server.requests.length, 1, 'no retry after abort');
    });

    it('aborts during a backoff wait without another request', async () => {
      const ac = new AbortController();
      const { server, model } = await setup(
        { faults: [{ fault: 'server-error' }] },
        { retryBaseMs: 600_000, retryMaxDelayMs: 600_000, onRetry: () => setImmediate(() => ac.abort()) },
      );
      const e = await failure(model.complete(ask, { signal: ac.signal }));
      assert.equal(e.code, 'cancelled');
      assert.equal(server.requests.length, 1);
    });

    it('does not send anything when already aborted', async () => {
      const { server, model } = await setup({});
      const e = await failure(model.complete(ask, { signal: AbortSignal.abort() }));
      assert.equal(e.code, 'cancelled');
      assert.equal(server.requests.length, 0);
    });
  });
});

describe('OpenAIChatModel streaming cancellation', () => {
  it('a stream cancelled mid-way fails instead of returning the partial text', async () => {
    const server = await startFakeServer({ faults: [{ fault: 'stall' }] });
    try {
      const model = new OpenAIChatModel({ baseURL: server.url, apiKey: KEY, model: 'm', timeoutMs: 60_000 });
      const ac = new AbortController();
      const p = model.complete(ask, { signal: ac.signal, onDelta: () => ac.abort() });
      const e = await failure(p);
      assert.equal(e.code, 'cancelled');
    } finally {
      await server.close();
    }
  });
});
