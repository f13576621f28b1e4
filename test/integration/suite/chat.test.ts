/**
 * VS Code's Chat in a real VS Code: the `@rlm` participant and the `rlm_askRepo` tool against the fake
 * model server, provider `auto` and RLM: Select Model.
 *
 * A chat request needs a signed-in Copilot, which this code-server cannot have: the participant's
 * registered handler (the one `vscode.chat.createChatParticipant` got) is driven here with requests
 * written by the test, a recording ChatResponseStream and a real CancellationToken. The tool goes through
 * `vscode.lm.invokeTool`. Outside a chat VS Code asks for the tool's confirmation with a dialog, and
 * in an extension test run its dialog service confirms by itself (it skips dialogs when
 * extensionTestsPath is set), so the confirmation's content is checked through `prepareInvocation`.
 */
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { RlmExtensionApi } from '../../../src/vscode/extension';
import type { ModelChoice } from '../../../src/vscode/selectModel';
import type { StartReply } from '../../../src/vscode/runController';
import { API_KEY, readyExtension } from './ready';
import { until } from './until';

type Call = { kind: 'markdown' | 'progress' | 'anchor' | 'reference' | 'button'; value: unknown; title?: string };

/** Records what the handler streams, in order. */
class RecordingStream implements vscode.ChatResponseStream {
  readonly calls: Call[] = [];
  markdown(value: string | vscode.MarkdownString): void {
    this.calls.push({ kind: 'markdown', value: typeof value === 'string' ? value : value.value });
  }
  anchor(value: vscode.Uri | vscode.Location, title?: string): void {
    this.calls.push({ kind: 'anchor', value, title });
  }
  button(command: vscode.Command): void {
    this.calls.push({ kind: 'button', value: command });
  }
  filetree(): void {
    throw new Error('not expected');
  }
  progress(value: string): void {
    this.calls.push({ kind: 'progress', value });
  }
  reference(value: vscode.Uri | vscode.Location): void {
    this.calls.push({ kind: 'reference', value });
  }
  push(): void {
    throw new Error('not expected');
  }
  of(kind: Call['kind']): Call[] {
    return this.calls.filter((c) => c.kind === kind);
  }
  text(): string {
    return this.of('markdown').map((c) => c.value).join('');
  }
  buttons(): vscode.Command[] {
    return this.of('button').map((c) => c.value as vscode.Command);
  }
}

const PARTICIPANT = 'rlm-team.rlm';
const request = (prompt: string, command?: string) => ({ prompt, command, references: [] as vscode.ChatPromptReference[] });
/** The turns VS Code would hand back in `context.history` after `result`. */
const turns = (prompt: string, result: vscode.ChatResult) =>
  [{ participant: PARTICIPANT, prompt, references: [], toolReferences: [] }, { participant: PARTICIPANT, response: [], result }] as unknown as vscode.ChatContext['history'];
const rlm = () => vscode.workspace.getConfiguration('rlm');
const metaOf = (r: vscode.ChatResult) => (r.metadata as { rlm: { runId?: string; conversationId?: string; folder?: string } }).rlm;

describe('VS Code Chat: @rlm and the rlm_askRepo tool', () => {
  let api: RlmExtensionApi;
  let cts: vscode.CancellationTokenSource;

  before(async () => {
    api = await readyExtension();
  });
  beforeEach(() => (cts = new vscode.CancellationTokenSource()));
  afterEach(async () => {
    cts.dispose();
    await rlm().update('model', 'fake-root', vscode.ConfigurationTarget.Global);
    await until('no run in progress', () => !api.isRunning());
  });

  it('contributes @rlm with /explain and /new, and registers it with Chat', () => {
    const pkg = vscode.extensions.getExtension('rlm-team.rlm-vscode')!.packageJSON as { contributes: { chatParticipants: { id: string; name: string; commands: { name: string }[] }[] } };
    const p = pkg.contributes.chatParticipants.find((c) => c.id === PARTICIPANT);
    assert.equal(p?.name, 'rlm');
    assert.deepEqual(p?.commands.map((c) => c.name), ['explain', 'new']);
    assert.equal(api.chatParticipantRegistered, true);
  });

  it('answers in the chat: progress, verified references as anchors, a button to the tree; a follow-up continues the thread', async () => {
    const stream = new RecordingStream();
    const first = await api.chatHandler(request('Where is add defined?'), { history: [] }, stream, cts.token);
    assert.equal(first.errorDetails, undefined, JSON.stringify(first.errorDetails));
    const { runId, conversationId } = metaOf(first);
    assert.ok(runId && conversationId, JSON.stringify(first.metadata));

    assert.ok(stream.of('progress').some((c) => /^Iteration 1\/\d+/.test(String(c.value))), JSON.stringify(stream.of('progress')));
    const anchors = stream.of('anchor');
    const math = anchors.find((a) => a.value instanceof vscode.Location && a.value.uri.path.endsWith('/src/math.ts'));
    assert.ok(math, JSON.stringify(anchors));
    assert.equal((math.value as vscode.Location).range.start.line, 0, 'src/math.ts:1 selects line 1');
    assert.equal(math.title, 'src/math.ts:1');
    assert.match(stream.text(), /Not a real file: src\/nowhere\.ts:12/, 'an unverified reference stays text');
    assert.ok(!anchors.some((a) => String(a.title).includes('nowhere')));
    assert.ok(stream.of('reference').some((r) => (r.value as vscode.Uri).path.endsWith('/src/math.ts')));
    assert.match(stream.text(), /Sub-model summary/);
    const tree = stream.buttons().find((b) => b.command === 'rlm.history.open');
    assert.deepEqual(tree?.arguments, [runId]);
    assert.equal((await api.listHistory()).find((e) => e.runId === runId)?.status, 'answered');
    // The button opens the run's panel from history.
    assert.equal(await vscode.commands.executeCommand(tree!.command, ...tree!.arguments!), true);
    assert.equal(api.panelSnapshot(runId)?.outcome?.status, 'answered');

    const again = new RecordingStream();
    const second = await api.chatHandler(request('And where is it used?'), { history: turns('Where is add defined?', first) }, again, cts.token);
    assert.equal(metaOf(second).conversationId, conversationId, 'the follow-up continues the thread\'s conversation');
    assert.notEqual(metaOf(second).runId, runId);
  });

  it('/explain names a folder and limits the run to it; /new starts over', async () => {
    const stream = new RecordingStream();
    const explained = await api.chatHandler(request('src', 'explain'), { history: [] }, stream, cts.token);
    const { runId, folder } = metaOf(explained);
    assert.match(folder ?? '', /\/src$/);
    const entry = (await api.listHistory()).find((e) => e.runId === runId);
    assert.equal(entry?.scope, 'src');
    assert.match(entry?.question ?? '', /^Explain the folder `src`/);

    const missing = new RecordingStream();
    const none = await api.chatHandler(request('no/such/folder', 'explain'), { history: [] }, missing, cts.token);
    assert.match(none.errorDetails?.message ?? '', /no folder "no\/such\/folder"/);

    const reset = new RecordingStream();
    const fresh = await api.chatHandler(request('', 'new'), { history: turns('src', explained) }, reset, cts.token);
    assert.deepEqual(fresh.metadata, { rlm: { newConversation: true } });
    const after = await api.chatHandler(request('Where is add defined?'), { history: [...turns('src', explained), ...turns('', fresh)] }, new RecordingStream(), cts.token);
    assert.ok(metaOf(after).conversationId && metaOf(after).conversationId !== metaOf(explained).conversationId, 'after /new a question starts its own conversation');
    assert.equal(metaOf(after).folder, undefined);
  });

  it('a follow-up in the thread keeps the REPL: question 2 reads what question 1 stored; /new starts afresh', async () => {
    await rlm().update('model', 'fake-remember', vscode.ConfigurationTarget.Global);
    const first = await api.chatHandler(request('Remember a colour.'), { history: [] }, new RecordingStream(), cts.token);
    const second = new RecordingStream();
    const followUp = await api.chatHandler(request('What did you keep?'), { history: turns('Remember a colour.', first) }, second, cts.token);
    assert.match(second.text(), /kept blue-42 across questions/);
    assert.equal(metaOf(followUp).conversationId, metaOf(first).conversationId);
    const entry = (await api.listHistory()).find((e) => e.runId === metaOf(followUp).runId);
    assert.equal(entry?.question, 'What did you keep?', 'each question is its own run in history');

    const reset = await api.chatHandler(request('', 'new'), { history: [...turns('Remember a colour.', first), ...turns('What did you keep?', followUp)] }, new RecordingStream(), cts.token);
    const third = new RecordingStream();
    const fresh = await api.chatHandler(
      request('What did you keep?'),
      { history: [...turns('Remember a colour.', first), ...turns('What did you keep?', followUp), ...turns('', reset)] },
      third,
      cts.token,
    );
    assert.doesNotMatch(third.text(), /kept blue-42/, 'a new conversation has a new REPL');
    assert.notEqual(metaOf(fresh).conversationId, metaOf(first).conversationId);
  });

  it('a thread whose conversation this window no longer holds continues it under the same id, with a fresh REPL', async () => {
    const lost = 'conv-20261130T000000Z-abc123';
    const earlier = { metadata: { rlm: { runId: 'run-lost', conversationId: lost } } };
    const stream = new RecordingStream();
    const result = await api.chatHandler(request('Where is add defined?'), { history: turns('Where was it?', earlier) }, stream, cts.token);
    assert.equal(result.errorDetails, undefined, JSON.stringify(result.errorDetails));
    assert.equal(metaOf(result).conversationId, lost);
  });

  it('cancels the run through the request\'s token', async () => {
    await rlm().update('model', 'fake-slow', vscode.ConfigurationTarget.Global);
    const stream = new RecordingStream();
    const pending = api.chatHandler(request('Where is add defined?'), { history: [] }, stream, cts.token);
    await until('the run to start', () => stream.of('progress').some((c) => /^Iteration 1/.test(String(c.value))), 60_000);
    cts.cancel();
    const result = await pending;
    assert.match(stream.text(), /cancelled/);
    assert.equal(result.errorDetails, undefined);
    assert.equal((await api.listHistory()).find((e) => e.runId === metaOf(result).runId)?.status, 'cancelled');
  });

  it('refuses while another run works, saying what to do next', async () => {
    await rlm().update('model', 'fake-slow', vscode.ConfigurationTarget.Global);
    const running = vscode.commands.executeCommand('rlm.askRepo', 'Where is add defined?') as Thenable<StartReply>;
    await until('the other run to start', () => api.isRunning());
    const stream = new RecordingStream();
    const result = await api.chatHandler(request('Where is mul defined?'), { history: [] }, stream, cts.token);
    assert.match(result.errorDetails?.message ?? '', /already in progress/);
    assert.match(stream.text(), /Cancel it first or wait/);
    assert.ok(stream.buttons().some((b) => b.command === 'rlm.cancelRun'));
    await vscode.commands.executeCommand('rlm.cancelRun');
    await running;
  });

  it('a failed run says what went wrong, with the fix as a button', async () => {
    await vscode.commands.executeCommand('rlm.clearApiKey');
    try {
      const stream = new RecordingStream();
      const result = await api.chatHandler(request('Where is add defined?'), { history: [] }, stream, cts.token);
      assert.match(result.errorDetails?.message ?? '', /401|API key/);
      assert.ok(stream.buttons().some((b) => b.command === 'rlm.setApiKey'), JSON.stringify(stream.buttons()));
      assert.ok(!stream.text().includes(API_KEY));
    } finally {
      await vscode.commands.executeCommand('rlm.setApiKey', API_KEY);
    }
  });

  it('lists rlm_askRepo and answers through vscode.lm.invokeTool with verified references', async () => {
    const info = vscode.lm.tools.find((t) => t.name === 'rlm_askRepo');
    assert.ok(info, `tools: ${vscode.lm.tools.map((t) => t.name).join(', ')}`);
    assert.deepEqual((info.inputSchema as { required: string[] }).required, ['question']);

    // The confirmation shows the question, as text: a model's Markdown (a command link) stays inside a code block.
    const prepared = await api.askRepoTool.prepareInvocation!({ input: { question: 'Where is add defined? [x](command:rlm.history.clear)' } }, cts.token);
    const confirm = prepared?.confirmationMessages?.message;
    assert.match(typeof confirm === 'string' ? confirm : confirm?.value ?? '', /\n(`{3,})text\nWhere is add defined\? \[x\]\(command:rlm\.history\.clear\)\n\1\n/);

    const result = await vscode.lm.invokeTool('rlm_askRepo', { input: { question: 'Where is add defined?' }, toolInvocationToken: undefined }, cts.token);
    const text = result.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
    assert.match(text, /References verified against the workspace:\n- src\/math\.ts:1/);
    assert.doesNotMatch(text.split('References verified')[1], /nowhere/);
  });

  it('the tool refuses a call without a question, before any run', async () => {
    await assert.rejects(
      Promise.resolve(vscode.lm.invokeTool('rlm_askRepo', { input: { folder: 'src' }, toolInvocationToken: undefined }, cts.token)),
      /"question" input is required/,
    );
  });

  it('provider "auto" (the default) uses the endpoint when VS Code has no language model', async () => {
    assert.equal(rlm().inspect('provider')?.defaultValue, 'auto');
    assert.equal(rlm().get('provider'), 'auto');
    assert.deepEqual(await vscode.lm.selectChatModels(), [], 'precondition: no language model here');
    const reply = (await vscode.commands.executeCommand('rlm.askRepo', 'Where is add defined?')) as StartReply;
    assert.ok('end' in reply, JSON.stringify(reply));
    assert.equal(reply.end.status, 'answered', reply.end.reason);
  });

  it('RLM: Select Model lists the endpoint\'s models (GET /models) and writes the root and sub-call models', async () => {
    const before = { model: rlm().get('model'), subModel: rlm().get('subModel') };
    const seen: Record<string, ModelChoice[]> = {};
    try {
      const written = await vscode.commands.executeCommand('rlm.selectModel', (step: 'root' | 'sub', items: ModelChoice[]) => {
        seen[step] = items;
        return Promise.resolve(step === 'root' ? items.find((i) => i.name === 'fake-recursive') : items.find((i) => i.source === 'same'));
      });
      const names = seen.root.filter((i) => i.source === 'openai-compatible').map((i) => i.name);
      assert.deepEqual(names, ['fake-child-then-fail', 'fake-eval', 'fake-recursive', 'fake-remember', 'fake-root', 'fake-slow', 'fake-steady', 'fake-stream', 'fake-sub']);
      assert.ok(seen.root.some((i) => /VS Code language models: none/.test(i.label)));
      assert.equal(seen.sub[0].source, 'same');
      assert.deepEqual(written, { model: 'fake-recursive', subModel: 'fake-recursive', provider: 'auto' });
      assert.equal(rlm().get('model'), 'fake-recursive');
      assert.equal(rlm().get('subModel'), 'fake-recursive');
    } finally {
      await rlm().update('model', before.model, vscode.ConfigurationTarget.Global);
      await rlm().update('subModel', before.subModel, vscode.ConfigurationTarget.Global);
    }
  });

  it('RLM: Select Model says so when the endpoint cannot list its models', async () => {
    const baseUrl = rlm().get<string>('baseUrl');
    let items: ModelChoice[] = [];
    try {
      await rlm().update('baseUrl', baseUrl!.replace(/\/v1$/, '/nothing-here'), vscode.ConfigurationTarget.Global);
      const written = await vscode.commands.executeCommand('rlm.selectModel', (_step: string, all: ModelChoice[]) => {
        items = all;
        return Promise.resolve(undefined);
      });
      assert.equal(written, undefined);
      const problem = items.find((i) => i.source === 'problem');
      assert.match(problem?.label ?? '', /Could not list the endpoint's models/);
      assert.match(problem?.detail ?? '', /answered 404/);
    } finally {
      await rlm().update('baseUrl', baseUrl, vscode.ConfigurationTarget.Global);
    }
  });
});
