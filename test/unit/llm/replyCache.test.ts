import { strict as assert } from 'node:assert';
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenAIChatModel } from '../../../src/core/llm/openaiModel';
import { endpointOf, ReplyCache, replyKey, withReplyCache } from '../../../src/core/llm/replyCache';
import type { Completion } from '../../../src/core/llm/types';
import { startFakeServer, type FakeServer } from '../../fakeServer/server';

const reply = (text: string): Completion => ({ text, model: 'm', usage: { promptTokens: 10, completionTokens: 5 } });
const key = (n: number) => replyKey({ endpoint: 'http://h/v1', model: 'm', messages: [{ role: 'user', content: `q${n}` }], params: {} });
const entryFile = (dir: string, k: string) => join(dir, 'replies', k.slice(0, 2), `${k}.json`);

describe('ReplyCache (on disk)', () => {
  let dir: string;
  let server: FakeServer | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rlm-reply-cache-'));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('keys by endpoint, model, messages, parameters and salt, never by credentials in the URL', () => {
    const base = { endpoint: endpointOf('https://user:secret@api.example.com/v1/?key=abc'), model: 'm', messages: [{ role: 'user' as const, content: 'hi' }], params: { maxTokens: 10 } };
    assert.equal(base.endpoint, 'https://api.example.com/v1');
    const k = replyKey(base);
    assert.match(k, /^[0-9a-f]{64}$/);
    assert.equal(replyKey({ ...base, params: { maxTokens: 10 } }), k);
    assert.notEqual(replyKey({ ...base, model: 'n' }), k);
    assert.notEqual(replyKey({ ...base, endpoint: 'https://other/v1' }), k);
    assert.notEqual(replyKey({ ...base, params: { maxTokens: 11 } }), k);
    assert.notEqual(replyKey({ ...base, messages: [{ role: 'system', content: 'hi' }] }), k);
    assert.notEqual(replyKey({ ...base, salt: 'workspace' }), k);
  });

  it('gives back what it stored, across instances (another process reading the folder)', async () => {
    await new ReplyCache(dir).put(key(1), reply('one'));
    const got = await new ReplyCache(dir).get(key(1));
    assert.deepEqual(got, reply('one'));
    assert.equal(await new ReplyCache(dir).get(key(2)), undefined);
  });

  it('evicts the least recently used entries past its bound, and keeps an index', async () => {
    const size = Buffer.byteLength(JSON.stringify({ v: 1, key: key(0), model: 'm', text: 'x'.repeat(1000), usage: { promptTokens: 10, completionTokens: 5 } }));
    const cache = new ReplyCache(dir, size * 5 + 10);
    for (let i = 0; i < 5; i++) await cache.put(key(i), reply('x'.repeat(1000)));
    // Entry 0 is used again: entry 1 becomes the least recently used.
    await new Promise((r) => setTimeout(r, 5));
    assert.ok(await cache.get(key(0)));
    await cache.put(key(5), reply('x'.repeat(1000)));
    assert.equal(existsSync(entryFile(dir, key(1))), false, 'the least recently used entry is still there');
    assert.ok(existsSync(entryFile(dir, key(0))), 'a recently used entry was evicted');
    assert.ok(existsSync(entryFile(dir, key(5))));
    const { bytes } = await cache.stats();
    assert.ok(bytes <= size * 5 + 10, `${bytes} bytes over the bound`);
    const index = readFileSync(join(dir, 'index.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).k);
    assert.ok(!index.includes(key(1)) && index.includes(key(5)));
  });

  it('counts entries another process wrote even when the index missed them', async () => {
    const other = new ReplyCache(dir);
    for (let i = 0; i < 10; i++) await other.put(key(i), reply('y'.repeat(50)));
    rmSync(join(dir, 'index.jsonl'));
    const cache = new ReplyCache(dir, 1000);
    await cache.put(key(10), reply('y'.repeat(50)));
    const files = readdirSync(join(dir, 'replies')).flatMap((d) => readdirSync(join(dir, 'replies', d)).map((n) => join(dir, 'replies', d, n)));
    const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
    assert.ok(bytes <= 1000, `${bytes} bytes in ${files.length} entries under a bound of 1000`);
    assert.ok(existsSync(entryFile(dir, key(10))), 'the newest entry was evicted');
  });

  it('reads a damaged entry as a miss (and removes it); a damaged index line is skipped', async () => {
    const cache = new ReplyCache(dir);
    await cache.put(key(1), reply('one'));
    await cache.put(key(2), reply('two'));
    writeFileSync(entryFile(dir, key(1)), '{"v":1,"key":"trunc');
    writeFileSync(entryFile(dir, key(2)), JSON.stringify({ v: 1, key: key(3), model: 'm', text: 'wrong key', usage: { promptTokens: 1, completionTokens: 1 } }));
    writeFileSync(join(dir, 'index.jsonl'), readFileSync(join(dir, 'index.jsonl'), 'utf8') + '{"k":"da\n');
    const fresh = new ReplyCache(dir);
    assert.equal(await fresh.get(key(1)), undefined);
    assert.equal(await fresh.get(key(2)), undefined);
    assert.equal(existsSync(entryFile(dir, key(1))), false);
    await fresh.put(key(1), reply('again'));
    assert.equal((await fresh.get(key(1)))?.text, 'again');
  });

  it('survives writers in several processes at once (every entry whole, none lost)', async () => {
    const writer = `
      const { ReplyCache, replyKey } = require(${JSON.stringify(join(__dirname, '../../../src/core/llm/replyCache.ts'))});
      (async () => {
        const cache = new ReplyCache(process.argv[2]);
        for (let i = 0; i < 40; i++) {
          const k = replyKey({ endpoint: 'e', model: 'm', messages: [{ role: 'user', content: 'shared ' + (i % 10) }], params: {} });
          await cache.put(k, { text: 'reply ' + (i % 10) + ' '.repeat(2000), model: 'm', usage: { promptTokens: 1, completionTokens: 1 } });
          await cache.get(k);
        }
      })();`;
    const script = join(dir, 'writer.js');
    writeFileSync(script, writer);
    await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<void>((resolve, reject) => {
            const child = fork(script, [join(dir, 'shared')], { execArgv: ['-r', 'tsx/cjs'] });
            child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited ${code}`))));
          }),
      ),
    );
    const cache = new ReplyCache(join(dir, 'shared'));
    for (let i = 0; i < 10; i++) {
      const k = replyKey({ endpoint: 'e', model: 'm', messages: [{ role: 'user', content: 'shared ' + i }], params: {} });
      assert.equal((await cache.get(k))?.text.trimEnd(), `reply ${i}`);
    }
    const tmp = readdirSync(join(dir, 'shared', 'replies')).flatMap((d) => readdirSync(join(dir, 'shared', 'replies', d))).filter((n) => n.endsWith('.tmp'));
    assert.deepEqual(tmp, []);
  });

  for (const stream of [false, true]) {
    it(`stores only whole replies: a reply cut at max tokens or a failed request is asked again (${stream ? 'streamed' : 'plain'})`, async () => {
      server = await startFakeServer({ models: { m: { turns: ['whole', { text: 'cut sho', finishReason: 'length' }, { fault: 'server-error' }] } } });
      const cache = new ReplyCache(dir);
      const model = withReplyCache(new OpenAIChatModel({ baseURL: server.url, apiKey: 'k', model: 'm', maxRetries: 0, stream }), cache, endpointOf(server.url), ['k']);
      const ask = (content: string) => [{ role: 'user' as const, content }];
      assert.equal(await model.lookup!(ask('a')), undefined);
      assert.equal((await model.complete(ask('a'))).text, 'whole');
      const hit = await model.lookup!(ask('a'));
      assert.equal(hit?.text, 'whole');
      assert.equal(hit?.cached, true);
      assert.equal((await model.complete(ask('b'))).finishReason, 'length');
      assert.equal(await model.lookup!(ask('b')), undefined, 'a cut reply was cached');
      await assert.rejects(model.complete(ask('c')));
      assert.equal(await model.lookup!(ask('c')), undefined);
      assert.equal(await model.lookup!(ask('a'), { maxTokens: 5 }), undefined, 'another max-tokens is another request');
    });
  }
});
