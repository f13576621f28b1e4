/** One model reply cannot flood the host or the next root request: blocks per reply and the
 *  REPL's reply to one turn are capped (attack tests against the fake server's received bytes). */
import { strict as assert } from 'node:assert';
import { harness, js, type Harness } from './harness';

const MB = 1_000_000;
const rootBytes = (h: Harness) => h.server.requests.filter((r) => r.model === 'root-model').map((r) => r.bytes);

describe('a turn is bounded, not just a cell', function () {
  this.timeout(120_000);
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('200 blocks printing 20,000 characters each: 20 run, the next root request stays under 1 MB', async () => {
    const flood = Array.from({ length: 200 }, () => js('print("x".repeat(20000))')).join('\n');
    h = await harness({ models: { 'root-model': { turns: [flood, js("FINAL('done')")] } } });
    const r = await h.run('q');
    assert.equal(r.status, 'answered', r.reason);
    assert.equal(h.events.filter((e) => e.type === 'cell.start').length, 20 + 1);
    const sizes = rootBytes(h);
    assert.equal(sizes.length, 2);
    assert.ok(sizes[1] <= MB, `next root request was ${sizes[1]} bytes`);
    const second = (h.server.requests.filter((x) => x.model === 'root-model')[1].body as { messages: { content: string }[] }).messages;
    const reply = second.at(-1)!.content;
    assert.match(reply, /180 more blocks were not run: at most 20 code blocks run per reply/);
    assert.match(reply, /This turn's output was cut: the REPL reply to one turn is capped at 50,000 characters/);
    assert.match(reply, /characters cut\]/);
  });

  it('honours smaller limits given for the run', async () => {
    const flood = Array.from({ length: 6 }, (_, i) => js(`print("${i}".repeat(3000))`)).join('\n');
    h = await harness({ models: { 'root-model': { turns: [flood, js("FINAL('done')")] } } });
    const r = await h.run('q', { turnLimits: { cells: 4, outputChars: 5_000 } });
    assert.equal(r.status, 'answered', r.reason);
    const second = (h.server.requests.filter((x) => x.model === 'root-model')[1].body as { messages: { content: string }[] }).messages;
    const reply = second.at(-1)!.content;
    assert.match(reply, /2 more blocks were not run: at most 4 code blocks/);
    assert.ok(reply.length < 5_600, `reply of ${reply.length} characters`);
    assert.match(second[0].content, /at most 4 blocks of a reply run;\s+the whole reply to a turn is cut to 5,000 characters/);
  });

  it('an oversized model reply is not sent back whole with the next request', async () => {
    const huge = `${'prose '.repeat(200_000)}\n${js('print(1)')}`; // 1.2 MB of prose, then code
    h = await harness({ streaming: 'ignore', models: { 'root-model': { turns: [huge, js("FINAL('done')")] } } });
    const r = await h.run('q');
    assert.equal(r.status, 'answered', r.reason);
    const sizes = rootBytes(h);
    assert.ok(sizes[1] <= MB, `next root request was ${sizes[1]} bytes`);
    assert.ok(h.events.some((e) => e.type === 'cell.output' && e.output.trim() === '1'), 'the code at the end of the reply ran');
  });
});
