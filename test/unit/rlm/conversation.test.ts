/** A conversation: questions over one workspace and one REPL that persists between them, each
 *  question its own run. Real parts: the fake OpenAI server over HTTP, real sandbox processes. */
import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { OpenAIChatModel } from '../../../src/core/llm/openaiModel';
import { Conversation, type ConversationNotice, type ConversationOptions } from '../../../src/core/rlm/conversation';
import { SandboxPool } from '../../../src/core/sandbox/pool';
import type { RunStartEvent, TraceEvent } from '../../../src/core/trace/types';
import { NodeFileSource, scanWorkspace } from '../../../src/core/workspace';
import { startFakeServer, type FakeScript, type FakeServer } from '../../fakeServer/server';
import { API_KEY, js, makeFixtureRepo, rootRequests, SANDBOX_SCRIPT } from './harness';

describe('a conversation', function () {
  this.timeout(60_000);
  let server: FakeServer;
  let pool: SandboxPool;
  let root: string;
  let conversation: Conversation | undefined;
  let scans = 0;
  const events: TraceEvent[] = [];
  const notices: ConversationNotice[] = [];

  async function start(script: FakeScript, options: Partial<ConversationOptions> = {}): Promise<Conversation> {
    server = await startFakeServer({ apiKey: API_KEY, ...script });
    conversation = new Conversation({
      workspace: async (signal) => {
        scans++;
        return scanWorkspace([{ name: 'shop', source: new NodeFileSource(root) }], { signal });
      },
      sandbox: pool,
      onNotice: (n) => notices.push(n),
      ...options,
    });
    return conversation;
  }

  const model = (id: string) => new OpenAIChatModel({ baseURL: server.url, apiKey: API_KEY, model: id, retryBaseMs: 5, timeoutMs: 10_000 });
  const ask = (c: Conversation, question: string, signal?: AbortSignal) =>
    c.ask({ question, rootModel: model('root-model'), subModel: model('sub-model'), signal, onEvent: (e) => events.push(e) }, { secrets: [API_KEY] });
  const starts = () => events.filter((e): e is RunStartEvent => e.type === 'run.start' && e.parentId === undefined);

  beforeEach(() => {
    root = makeFixtureRepo();
    pool = new SandboxPool({ scriptPath: SANDBOX_SCRIPT });
    events.length = 0;
    notices.length = 0;
    scans = 0;
  });

  afterEach(async () => {
    await conversation?.dispose();
    conversation = undefined;
    await pool.dispose();
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('question 2 reads a variable and calls a function that question 1 left in the REPL; each question is its own run', async () => {
    const c = await start({
      models: {
        'root-model': {
          turns: [
            js("const hits = await grep('function login')\nfunction where(h) { return h.path + ':' + h.line }\nprint(hits.length)"),
            js('FINAL(where(hits[0]))'),
            js('print(SHOW_VARS())'),
            js("FINAL('again ' + where(hits[0]) + ' ' + history.length + ' ' + history[0].answer)"),
          ],
        },
      },
    });
    const run1 = ask(c, 'Where is login?');
    const end1 = await run1.start();
    assert.equal(end1.status, 'answered', end1.reason);
    assert.equal(end1.answer, 'src/auth.ts:2');
    const run2 = ask(c, 'And once more?');
    const end2 = await run2.start();
    assert.equal(end2.status, 'answered', end2.reason);
    assert.equal(end2.answer, 'again src/auth.ts:2 1 src/auth.ts:2');
    assert.notEqual(run1.id, run2.id);

    const [s1, s2] = starts();
    assert.equal(s1.runId, run1.id);
    assert.equal(s2.runId, run2.id);
    assert.equal(s1.conversationId, c.id);
    assert.equal(s2.conversationId, c.id);
    assert.deepEqual([s1.questionIndex, s2.questionIndex], [1, 2]);
    assert.deepEqual([s1.repl, s2.repl], ['new', 'kept']);
    assert.equal(scans, 1, 'one scan for the REPL\'s life');

    // SHOW_VARS in question 2 lists question 1's variables.
    const shown = events.filter((e) => e.type === 'cell.output').map((e) => (e.type === 'cell.output' ? e.output : ''));
    assert.match(shown[2], /hits: Array\(1\)/);
    assert.match(shown[2], /where: function/);

    // Question 2's root model saw question 1 and its answer and the note, never question 1's transcript.
    const q2 = rootRequests(server)[2];
    assert.match(q2[0].content, /part of a conversation/);
    assert.match(q2[1].content, /### Question 1 \(answered\)\nWhere is login\?\n### Answer 1\nsrc\/auth\.ts:2/);
    assert.match(q2[1].content, /The REPL kept its state/);
    assert.match(q2[1].content, /And once more\?/);
    assert.ok(!JSON.stringify(q2).includes("grep('function login')"), 'no earlier transcript');
    assert.deepEqual(c.turns.map((t) => [t.runId, t.status, t.answer]), [[run1.id, 'answered', 'src/auth.ts:2'], [run2.id, 'answered', end2.answer]]);
  });

  it('after the idle time-out the REPL is released: the next question starts a fresh REPL (and scan), and model and user are told', async () => {
    const c = await start(
      { models: { 'root-model': { turns: [js("const kept = 41\nFINAL('one')"), js("FINAL(typeof kept + ' ' + history.length + ' ' + history[0].answer)")] } } },
      { idleMs: 300 },
    );
    assert.equal((await ask(c, 'first').start()).answer, 'one');
    assert.ok(c.holdsRepl);
    await until(() => notices.some((n) => n.kind === 'released'));
    assert.ok(!c.holdsRepl, 'the REPL was let go');
    assert.match(notices[0].message, /idle for 0\.3 s: its REPL was released/);
    assert.equal(notices[0].conversationId, c.id);

    const end = await ask(c, 'second').start();
    assert.equal(end.answer, 'undefined 1 one', 'earlier variables are gone; history still has the answer');
    assert.deepEqual(starts().map((e) => e.repl), ['new', 'restarted']);
    assert.equal(scans, 2, 'the workspace is scanned again for the fresh REPL');
    assert.deepEqual(notices.map((n) => n.kind), ['released', 'restarted']);
    assert.match(notices[1].message, /restarted after 0\.3 s idle/);
    const q2 = rootRequests(server)[1];
    assert.match(q2[1].content, /The REPL was restarted after 0\.3 s idle; earlier variables are gone; `history` still has the answers\./);
  });

  it('a second question while one runs is refused before a run exists; the first one finishes and the next is accepted', async () => {
    const c = await start({ models: { 'root-model': { turns: [{ text: js("FINAL('slow')"), latencyMs: 1500 }, js("FINAL('next')")] } } });
    const first = ask(c, 'first');
    const ending = first.start();
    const before = events.length;
    assert.ok(c.busy);
    assert.throws(() => ask(c, 'too soon'), (err: Error & { code?: string }) => err.code === 'conversation-busy' && /still running: wait for its answer or cancel it/.test(err.message));
    assert.equal((await ending).answer, 'slow');
    assert.ok(!events.slice(before).some((e) => e.type === 'run.start' && (e as RunStartEvent).question === 'too soon'), 'the refused question made no run');
    assert.equal((await ask(c, 'then').start()).answer, 'next');
    assert.deepEqual(c.turns.map((t) => t.question), ['first', 'then']);
  });

  it('a question cancelled while the model thinks does not end the conversation, and the REPL keeps its variables', async () => {
    const c = await start({
      models: { 'root-model': { turns: [js('const a = 7\nprint(a)'), { text: js("FINAL('late')"), latencyMs: 5000 }, js('FINAL(String(a * 6))')] } },
    });
    const abort = new AbortController();
    const ending = ask(c, 'slow one', abort.signal).start();
    await until(() => events.some((e) => e.type === 'cell.output'));
    abort.abort();
    const end1 = await ending;
    assert.equal(end1.status, 'cancelled');
    const end2 = await ask(c, 'go on').start();
    assert.equal(end2.answer, '42');
    assert.deepEqual(starts().map((e) => e.repl), ['new', 'kept']);
    assert.deepEqual(c.turns.map((t) => [t.status, t.answer]), [['cancelled', undefined], ['answered', '42']]);
    const q2 = rootRequests(server).at(-1)!;
    assert.match(q2[1].content, /### Question 1 \(cancelled\)\nslow one\n### Answer 1\n\(no answer: cancelled\)/);
  });

  it('a question cancelled while its cell runs kills the REPL: the next question is told it restarted', async () => {
    const c = await start({ models: { 'root-model': { turns: [js('const b = 1\nwhile (true) {}'), js('FINAL(typeof b)')] } } });
    const abort = new AbortController();
    const ending = ask(c, 'spin', abort.signal).start();
    await until(() => events.some((e) => e.type === 'cell.start'));
    abort.abort();
    assert.equal((await ending).status, 'cancelled');
    const end = await ask(c, 'after').start();
    assert.equal(end.answer, 'undefined');
    assert.deepEqual(starts().map((e) => e.repl), ['new', 'restarted']);
    assert.deepEqual(notices.map((n) => n.kind), ['restarted']);
    assert.match(rootRequests(server).at(-1)![1].content, /restarted because a cell of an earlier question was stopped/);
  });

  it('a conversation reopened from history continues: next index, a new REPL, and history holds the stored answers', async () => {
    const c = await start(
      { models: { 'root-model': { turns: [js('FINAL(history.map((h) => h.question + "=" + h.answer + "/" + h.status).join(";"))')] } } },
      {
        id: 'conv-20261130T120000Z-abcdef',
        turns: [
          { runId: 'r1', question: 'q1', status: 'answered', answer: 'a1' },
          { runId: 'r2', question: 'q2', status: 'failed', reason: 'boom' },
        ],
      },
    );
    const end = await ask(c, 'q3').start();
    assert.equal(end.answer, 'q1=a1/answered;q2=null/failed');
    const [s] = starts();
    assert.deepEqual([s.conversationId, s.questionIndex, s.repl], ['conv-20261130T120000Z-abcdef', 3, 'new']);
    assert.match(rootRequests(server)[0][1].content, /This is question 3 of a conversation[\s\S]*The REPL is new for this question/);
  });

  it('child runs open fresh sessions: only the top loop holds the conversation\'s REPL', async () => {
    const child = (m: { role: string; content: string }[]) => m.some((x) => x.role === 'user' && x.content.includes('CHILDQ'));
    const c = await start({
      models: { 'root-model': { rule: (req) => (child(req.messages) ? js('FINAL(typeof secretVar)') : js("const secretVar = 1\nFINAL(await rlm_query('CHILDQ'))")) } },
    });
    const run = c.ask({ question: 'q', rootModel: model('root-model'), subModel: model('sub-model'), budgets: { maxDepth: 2 }, onEvent: (e) => events.push(e) });
    assert.equal((await run.start()).answer, 'undefined');
  });

  it('dispose cancels a running question; later asks are refused', async () => {
    const c = await start({ models: { 'root-model': { turns: [{ text: js("FINAL('never')"), latencyMs: 10_000 }] } } });
    const ending = ask(c, 'long').start();
    await until(() => events.some((e) => e.type === 'iteration.start'));
    await c.dispose();
    assert.equal((await ending).status, 'cancelled');
    assert.throws(() => ask(c, 'more'), (err: Error & { code?: string }) => err.code === 'conversation-ended');
  });
});

async function until(ok: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
