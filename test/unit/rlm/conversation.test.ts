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
});
