import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startFakeServer, type FakeScript, type FakeServer } from '../../fakeServer/server';

/** Plain HTTP against the fake server, to pin its wire format without any client in between. */
async function chat(server: FakeServer, model: string, content: string, extra: Record<string, unknown> = {}) {
  const res = await fetch(`${server.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }], ...extra }),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function replyText(body: string): string {
  return (JSON.parse(body) as { choices: { message: { content: string } }[] }).choices[0].message.content;
}

describe('fake OpenAI server', () => {
  let server: FakeServer | undefined;
  const start = async (script: FakeScript) => (server = await startFakeServer(script));
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('listens on loopback only and lists the scripted models', async () => {
    const s = await start({ models: { a: {}, b: {} } });
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const res = await fetch(`${s.url}/models`);
    const body = (await res.json()) as { data: { id: string }[] };
    assert.deepEqual(body.data.map((m) => m.id), ['a', 'b']);
  });

  it('answers scripted turns per model, then the rule', async () => {
    const s = await start({
      models: { root: { turns: ['r1', { text: 'r2' }] }, sub: { rule: (req) => `sub saw ${req.messages.length} message(s)` } },
      rule: { replies: [{ match: '^count', reply: 'counted' }], fallback: 'default for {prompt}' },
    });
    assert.equal(replyText((await chat(s, 'root', 'x')).text), 'r1');
    assert.equal(replyText((await chat(s, 'sub', 'x')).text), 'sub saw 1 message(s)');
    assert.equal(replyText((await chat(s, 'root', 'x')).text), 'r2');
    assert.equal(replyText((await chat(s, 'root', 'count them')).text), 'counted');
    assert.equal(replyText((await chat(s, 'other', 'hello')).text), 'default for hello');
    assert.deepEqual(s.requests.map((r) => r.model), ['root', 'sub', 'root', 'root', 'other']);
  });

  it('reports usage as chars / 4', async () => {
    const s = await start({ models: { m: { turns: ['12345678'] } } });
    const body = JSON.parse((await chat(s, 'm', 'x'.repeat(40))).text) as { usage: Record<string, number> };
    assert.deepEqual(body.usage, { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 });
  });

  it('streams SSE chunks with a final usage chunk when asked', async () => {
    const s = await start({ models: { m: { turns: ['abcdefghijklmnopqrstuvwxyz'] } }, chunkChars: 10 });
    const r = await chat(s, 'm', 'q', { stream: true, stream_options: { include_usage: true } });
    assert.match(r.headers.get('content-type') ?? '', /text\/event-stream/);
    const events = r.text.split('\n\n').filter(Boolean).map((l) => l.replace(/^data: /, ''));
    assert.equal(events.at(-1), '[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e) as { choices: { delta?: { content?: string } }[]; usage?: unknown });
    assert.equal(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''), 'abcdefghijklmnopqrstuvwxyz');
    assert.ok(chunks.at(-1)!.usage, 'usage chunk last');
    const plain = await chat(s, 'm', 'q', { stream: true });
    assert.ok(!plain.text.includes('"usage"'), 'no usage chunk unless include_usage');
  });

  it('injects faults by request index, by model and call, and from turns, without using up turns', async () => {
    const s = await start({
      models: { root: { turns: [{ fault: 'server-error', status: 502 }, 'after the fault'] } },
      faults: [
        { request: 0, fault: 'rate-limit', retryAfter: '7' },
        { model: 'sub', call: 1, fault: 'unknown-model' },
      ],
    });
    const first = await chat(s, 'sub', 'x');
    assert.equal(first.status, 429);
    assert.equal(first.headers.get('retry-after'), '7');
    assert.equal((await chat(s, 'sub', 'x')).status, 404);
    assert.equal((await chat(s, 'sub', 'x')).status, 200);
    assert.equal((await chat(s, 'root', 'x')).status, 502);
    assert.equal(replyText((await chat(s, 'root', 'x')).text), 'after the fault');
    assert.deepEqual(s.requests.map((r) => r.outcome), ['rate-limit', 'unknown-model', 'reply', 'server-error', 'reply']);
  });

  it('checks the key, and echoes a wrong one like real providers do', async () => {
    const s = await start({ apiKey: 'right' });
    const r = await chat(s, 'm', 'x');
    assert.equal(r.status, 401);
    assert.match(r.text, /Incorrect API key provided: k\./);
  });

  it('ends hanging requests on close and counts them in flight', async () => {
    const s = await start({ faults: [{ fault: 'hang' }] });
    const pending = chat(s, 'm', 'x').catch((e: Error) => e);
    while (s.stats().inFlight === 0) await new Promise((r) => setTimeout(r, 5));
    assert.equal(s.stats().inFlight, 1);
    await s.close();
    assert.ok((await pending) instanceof Error, 'the hanging request was cut');
  });

  it('runs as its own process from a JSON script and stops on SIGTERM', async function () {
    this.timeout(30_000);
    const dir = mkdtempSync(join(tmpdir(), 'rlm-fake-'));
    try {
      const file = join(dir, 'script.json');
      writeFileSync(file, JSON.stringify({ models: { root: { turns: ['from a file'] } } }));
      const child = spawn(process.execPath, ['-r', 'tsx/cjs', join(__dirname, '../../fakeServer/cli.ts'), file], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
      assert.match(line, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const res = await fetch(`${line}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'root', messages: [{ role: 'user', content: 'q' }] }),
      });
      assert.equal(replyText(await res.text()), 'from a file');
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
