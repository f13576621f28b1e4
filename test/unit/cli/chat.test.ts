/** `rlm chat` and the local-endpoint probe, driven as a user would: the built CLI as a child
 *  process, questions piped to its stdin, real HTTP to the fake server, real sandbox processes. */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunStartEvent, TraceEvent } from '../../../src/core/trace/types';
import { startFakeServer, type FakeScript, type FakeServer } from '../../fakeServer/server';
import { API_KEY, js, makeFixtureRepo } from '../rlm/harness';
import { rlm } from './runCli';

describe('rlm chat (the CLI as a process)', function () {
  this.timeout(90_000);
  let server: FakeServer | undefined;
  let root: string;
  let dir: string;
  beforeEach(() => {
    root = makeFixtureRepo();
    dir = mkdtempSync(join(tmpdir(), 'rlm-chat-'));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(root, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });
  const start = async (script: FakeScript) => (server = await startFakeServer({ apiKey: API_KEY, ...script }));
  const chat = (s: FakeServer, ...extra: string[]) => ['chat', '--root', root, '--base-url', s.url, '--model', 'root-model', '--sub-model', 'sub-model', '--api-key', API_KEY, ...extra];
  /** Every line of a trace file parsed: throws on a damaged line. */
  const traceOf = (file: string): TraceEvent[] => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TraceEvent);
  const tops = (events: TraceEvent[]) => events.filter((e): e is RunStartEvent => e.type === 'run.start' && e.parentId === undefined);

  it('two questions share one REPL, /new starts a fresh one, /exit quits; answers on stdout, every question in --trace', async () => {
    const s = await start({
      models: {
        'root-model': {
          turns: [
            js("const n = 41\nFINAL('first')"),
            js("FINAL(String(n + 1) + ' after ' + history[0].question)"),
            js('FINAL(typeof n)'),
            js("FINAL('never asked')"),
          ],
        },
      },
    });
    const trace = join(dir, 'chat.jsonl');
    const r = await rlm(chat(s, '--trace', trace), { input: 'the first question\nthe second\n/new\nthird\n/exit\nnot read\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'first\n42 after the first question\nundefined\n');
    assert.match(r.stderr, /question 2 of the conversation \(REPL kept its variables\)/);
    assert.match(r.stderr, /new conversation: a fresh REPL/);
    const starts = tops(traceOf(trace));
    assert.deepEqual(starts.map((e) => [e.question, e.questionIndex, e.repl]), [['the first question', 1, 'new'], ['the second', 2, 'kept'], ['third', 1, 'new']]);
    assert.equal(starts[0].conversationId, starts[1].conversationId);
    assert.notEqual(starts[1].conversationId, starts[2].conversationId, '/new starts another conversation');
    assert.equal(traceOf(trace).filter((e) => e.type === 'run.end').length, 3);
    assert.ok(!readFileSync(trace, 'utf8').includes(API_KEY));
  });

  it('Ctrl-C cancels the running question; the conversation and its REPL go on with the next one', async () => {
    const s = await start({
      models: { 'root-model': { turns: [js('const kept = 6\nprint(kept)'), { text: js("FINAL('late')"), latencyMs: 30_000 }, js('FINAL(String(kept * 7))')] } },
    });
    let sent = false;
    const r = await rlm(chat(s), {
      input: 'slow one\nnext one\n',
      onStderr: (text, child) => {
        if (!sent && text.includes('turn 2/30')) {
          sent = true;
          // Once the slow turn's request has reached the server (it owns that scripted turn).
          const poll = setInterval(() => {
            if (s.requests.length < 2) return;
            clearInterval(poll);
            child.kill('SIGINT');
          }, 20);
        }
      },
    });
    assert.ok(sent);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /cancelling the question… \(the conversation stays/);
    assert.match(r.stderr, /rlm: cancelled: Cancelled by the user/);
    assert.equal(r.stdout, '42\n', r.stderr);
    assert.match(r.stderr, /question 2 of the conversation \(REPL kept its variables\)/);
  });

  it('a CLI killed with SIGKILL mid-question leaves a trace whose every line parses', async () => {
    const s = await start({
      models: { 'root-model': { turns: [js("FINAL('done')"), js("const a = await grep('login')\nprint(a.length)"), { text: js("FINAL('never')"), latencyMs: 60_000 }] } },
    });
    const trace = join(dir, 'killed.jsonl');
    let killed = false;
    const r = await rlm(chat(s, '--trace', trace), {
      input: 'one\ntwo\n',
      keepStdin: true,
      onStderr: (text, child) => {
        if (!killed && /question 2 of the conversation[\s\S]*turn 2\/30/.test(text)) {
          killed = true;
          child.kill('SIGKILL');
        }
      },
    });
    assert.equal(r.signal, 'SIGKILL');
    const events = traceOf(trace);
    const starts = tops(events);
    assert.deepEqual(starts.map((e) => e.questionIndex), [1, 2]);
    const ends = events.filter((e) => e.type === 'run.end');
    assert.equal(ends.length, 1, 'question 1 ended; question 2 was cut off');
    const second = events.indexOf(starts[1]);
    assert.ok(events.slice(second).some((e) => e.type === 'cell.output' && /^\d+/.test(e.output)), 'question 2\'s cell output was written before the kill');
    assert.equal(events.at(-1)!.type, 'iteration.start');
  });
});

describe('the CLI with no API key and no base URL (local probe)', function () {
  this.timeout(60_000);
  let root: string;
  beforeEach(() => (root = makeFixtureRepo()));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** A loopback URL nothing listens on (a server's port, closed again). */
  async function closedUrl(): Promise<string> {
    const s = await startFakeServer({});
    const url = s.url;
    await s.close();
    return url;
  }

  it('uses the first local server that answers GET /v1/models, with the first model it lists, and says so', async () => {
    const server = await startFakeServer({ models: { 'llama-local': { turns: [js("FINAL('local answer')")] }, other: {} } });
    try {
      const endpoints = `Nothing=${await closedUrl()},Ollama=${server.url}`;
      const r = await rlm(['ask', '--root', root, 'q'], { env: { RLM_LOCAL_ENDPOINTS: endpoints } });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'local answer\n');
      assert.match(r.stderr, new RegExp(`no API key or base URL given: using Ollama at ${server.url.replace(/[.]/g, '\\.')} \\(model llama-local\\)`));
      const chats = server.requests.filter((q) => q.path.endsWith('/chat/completions'));
      assert.ok(chats.length > 0 && chats.every((q) => q.model === 'llama-local'));
    } finally {
      await server.close();
    }
  });

  it('--model picks the model on the local server', async () => {
    const server = await startFakeServer({ models: { first: {}, chosen: { turns: [js("FINAL('chosen answered')")] } } });
    try {
      const r = await rlm(['ask', '--root', root, '--model', 'chosen', 'q'], { env: { RLM_LOCAL_ENDPOINTS: `LM Studio=${server.url}` } });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'chosen answered\n');
      assert.match(r.stderr, /using LM Studio at .* \(model chosen\)/);
    } finally {
      await server.close();
    }
  });

  it('with no local server: exit 2 and an error naming OPENAI_API_KEY and --base-url, before any scan', async () => {
    const r = await rlm(['ask', '--root', root, 'q'], { env: { RLM_LOCAL_ENDPOINTS: `Ollama=${await closedUrl()},LM Studio=${await closedUrl()}` } });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^rlm: no model endpoint: set OPENAI_API_KEY \(or pass --api-key\).*or pass --base-url/m);
    assert.doesNotMatch(r.stderr, /scanning/);
  });

  it('does not probe when a key or a base URL is given', async () => {
    const server = await startFakeServer({ models: { m: {} } });
    try {
      const r = await rlm(['ask', '--root', root, '--base-url', await closedUrl(), '--model', 'm', 'q'], { env: { RLM_LOCAL_ENDPOINTS: `Ollama=${server.url}` } });
      assert.equal(r.code, 1, r.stderr);
      assert.equal(server.requests.length, 0, 'the local server was not asked');
    } finally {
      await server.close();
    }
  });
});
