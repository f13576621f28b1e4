import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { OpenAIChatModel } from '../../../src/core/llm/openaiModel';
import { fixLabelsFor } from '../../../src/vscode/fixLabels';

describe('errors offer the fix', () => {
  it('maps the real wording of each error to its button', () => {
    assert.deepEqual(fixLabelsFor('No API key is set. Run "RLM: Set API Key" first (it is kept in VS Code\'s secret storage).'), [{ label: 'Set API Key' }]);
    assert.deepEqual(fixLabelsFor('The endpoint at api.example.com rejected the API key (401). Check the key.'), [{ label: 'Set API Key' }]);
    assert.deepEqual(fixLabelsFor('Cannot reach nowhere.invalid (host not found). Check the base URL.'), [{ label: 'Open Settings', setting: 'rlm.baseUrl' }]);
    assert.deepEqual(fixLabelsFor('Nothing at x answers chat completions (404). Check the base URL (it usually ends in /v1).'), [{ label: 'Open Settings', setting: 'rlm.baseUrl' }]);
    assert.deepEqual(fixLabelsFor('Model "gpt-9" is not known at x (404): no such model'), [{ label: 'Select Model', setting: 'rlm.model' }]);
    assert.deepEqual(fixLabelsFor('No VS Code language model is available. Install and sign in to GitHub Copilot Chat (or another extension that provides language models), or set "rlm.provider" to "openai-compatible".'), [{ label: 'Open Settings', setting: 'rlm.provider' }]);
    assert.deepEqual(fixLabelsFor('Cancelled by the user.'), []);
  });

  it('the wording it matches is what the model client writes for a refused connection', async () => {
    // A loopback port that was just free: nothing listens, the connection is refused at once.
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((r) => server.close(r));
    const model = new OpenAIChatModel({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'k', model: 'm', maxRetries: 0 });
    const err = await model.complete([{ role: 'user', content: 'hi' }]).then(() => undefined, (e: Error) => e);
    assert.ok(err, 'the request failed');
    assert.deepEqual(fixLabelsFor(err.message), [{ label: 'Open Settings', setting: 'rlm.baseUrl' }], err.message);
  });
});
