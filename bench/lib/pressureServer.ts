/* The fake OpenAI server for the host-pressure rows, in a process of its own so that parsing a
 * 20 MB request does not count toward the measured host's memory. Sends {url} once listening;
 * answers {t: 'sizes'} with the body size (characters) of every chat request, in order. */
import { startFakeServer, type FakeScript } from '../../test/fakeServer/server';

const js = (code: string) => '```js\n' + code + '\n```';

/** Each run of the tree holds `holdMb` of memory while its children run: three children per run,
 *  down to depth 3, the leaves waiting on a slow sub-call so that the whole tree is alive at once. */
function depthScript(holdMb: number): FakeScript {
  const hold = `globalThis.keep = new Uint8Array(${holdMb} * 1024 * 1024).fill(1);`;
  const fanOut = (next: string) => `${hold}\nawait Promise.all([1, 2, 3].map((i) => rlm_query("${next} " + i)));\nprint("HELD-IT")`;
  return {
    models: {
      root: {
        rule: (req) => {
          const last = [...req.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
          if (req.messages.some((m) => m.role === 'assistant')) return js(`FINAL(${JSON.stringify(last.includes('HELD-IT') ? 'held' : 'stopped')})`);
          if (last.includes('LEVEL3')) return js(`${hold}\nawait llm_query("wait");\nprint("HELD-IT")`);
          if (last.includes('LEVEL2')) return js(fanOut('LEVEL3'));
          return js(fanOut('LEVEL2'));
        },
      },
      sub: { latencyMs: 1500, rule: { fallback: 'ok' } },
    },
  };
}

function printBlocksScript(blocks: number, chars: number): FakeScript {
  const reply = Array.from({ length: blocks }, () => js(`print("x".repeat(${chars}))`)).join('\n');
  return { models: { root: { turns: [reply, js('FINAL("done")')] } } };
}

const [kind, a, b] = process.argv.slice(2);
const script = kind === 'depth' ? depthScript(Number(a)) : printBlocksScript(Number(a), Number(b));
void startFakeServer({ ...script, maxBodyBytes: 256 * 1024 * 1024 }).then((server) => {
  process.send?.({ url: server.url });
  process.on('message', (m: { t?: string }) => {
    if (m?.t !== 'sizes') return;
    const sizes = server.requests.filter((r) => r.index >= 0).map((r) => JSON.stringify(r.body).length);
    process.send?.({ sizes });
  });
  process.on('disconnect', () => void server.close().then(() => process.exit(0)));
});
