import { strict as assert } from 'node:assert';
import { BAD_PORTS, refusedPortProblem } from '../../../src/core/llm/badPorts';

/** How this Node's fetch fails for `port` on loopback: "bad port" or the connect error. */
async function fetchFailure(port: number): Promise<string> {
  try {
    await fetch(`http://127.0.0.1:${port}/v1/models`, { signal: AbortSignal.timeout(10_000) });
    return 'connected';
  } catch (err) {
    return String((err as { cause?: { message?: string } }).cause?.message ?? err);
  }
}

describe('ports the runtime refuses', () => {
  it('every listed port is one this Node refuses outright, and a neighbour is not', async () => {
    const failures = await Promise.all([...BAD_PORTS].map(async (p) => [p, await fetchFailure(p)] as const));
    assert.deepEqual(failures.filter(([, f]) => f !== 'bad port'), []);
    assert.notEqual(await fetchFailure(8), 'bad port');
    assert.notEqual(await fetchFailure(8080), 'bad port');
  });

  it('names the setting and the port, and passes ordinary URLs', () => {
    assert.match(refusedPortProblem('http://127.0.0.1:9/v1', '--base-url') ?? '', /^--base-url uses port 9, .*bad port.*change --base-url/);
    assert.match(refusedPortProblem('https://example.com:6666/v1', '"rlm.baseUrl"') ?? '', /port 6666/);
    for (const ok of ['https://api.openai.com/v1', 'http://localhost:11434/v1', 'http://127.0.0.1:8000/v1', 'not a url']) {
      assert.equal(refusedPortProblem(ok, 'x'), undefined, ok);
    }
  });
});
