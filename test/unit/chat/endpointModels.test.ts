import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { listEndpointModels, modelIdsOf } from '../../../src/vscode/endpointModels';
import { startFakeServer, type FakeServer } from '../../fakeServer/server';

/** A raw loopback server for the replies the fake OpenAI server never gives. */
async function rawServer(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

describe('endpoint model list (RLM: Select Model)', () => {
  let fake: FakeServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('lists the models of the endpoint, sending the key', async () => {
    fake = await startFakeServer({ apiKey: 'sk-right', models: { 'fake-sub': {}, 'fake-root': {} } });
    assert.deepEqual(await listEndpointModels(`${fake.url}/`, 'sk-right'), { ids: ['fake-root', 'fake-sub'] });
    assert.equal(fake.requests.at(-1)?.headers.authorization, 'Bearer sk-right');
  });

  it('says the key was refused (and never repeats it)', async () => {
    fake = await startFakeServer({ apiKey: 'sk-right', models: { a: {} } });
    const out = await listEndpointModels(fake.url, 'sk-wrong-secret');
    assert.ok('problem' in out);
    assert.match(out.problem, /refused the API key \(401\)\. Run "RLM: Set API Key"/);
    assert.doesNotMatch(out.problem, /sk-wrong-secret/);
  });

  it('says what to check when the URL is wrong, nothing listens, or the reply is not a list', async () => {
    fake = await startFakeServer({ models: { a: {} } });
    const wrongPath = await listEndpointModels(fake.url.replace(/\/v1$/, ''), undefined);
    assert.ok('problem' in wrongPath && /answered 404/.test(wrongPath.problem), JSON.stringify(wrongPath));
    const url = fake.url;
    await fake.close();
    fake = undefined;
    const gone = await listEndpointModels(url, undefined);
    assert.ok('problem' in gone && /Cannot reach .*Check "rlm\.baseUrl"/.test(gone.problem), JSON.stringify(gone));
    const html = await rawServer((_q, res) => res.end('<html>hello</html>'));
    try {
      const out = await listEndpointModels(html.url, undefined);
      assert.ok('problem' in out && /did not answer with JSON/.test(out.problem), JSON.stringify(out));
    } finally {
      await html.close();
    }
  });

  it('gives up on a server that never answers, after its time-out', async () => {
    const silent = await rawServer(() => undefined);
    try {
      const out = await listEndpointModels(silent.url, undefined, 300);
      assert.ok('problem' in out && /did not answer within 0\.3 s/.test(out.problem), JSON.stringify(out));
    } finally {
      await silent.close();
    }
  });

  it('keeps only string ids from an untrusted reply, visible and bounded', () => {
    assert.equal(modelIdsOf({ models: [] }), undefined);
    assert.deepEqual(modelIdsOf({ data: [{ id: 'b' }, { id: 7 }, null, { id: ' a ' }, { id: 'a' }, { id: 'x'.repeat(500) }, { id: 'e\u001b[31m' }] }), ['a', 'b', 'e\\u001b[31m']);
    assert.equal(modelIdsOf({ data: Array.from({ length: 5000 }, (_, i) => ({ id: `m${i}` })) })!.length, 1000);
  });
});
