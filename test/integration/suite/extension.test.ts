/** The extension in a real VS Code extension host, against the fake model server over real HTTP. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RlmExtensionApi } from '../../../src/vscode/extension';
import type { StartReply } from '../../../src/vscode/runController';
import type { RunEndEvent } from '../../../src/core/trace/types';
import type { TraceEvent } from '../../../src/core/trace/types';
import { TraceViewModel } from '../../../src/vscode/panel/traceViewModel';
import { ACTIVE_AT_START } from '../index';
import { API_KEY, readyExtension } from './ready';
import { until } from './until';

/** The run's end event, with the run's id. */
function resultOf(reply: unknown): RunEndEvent & { runId: string } {
  assert.ok(reply && typeof reply === 'object' && 'end' in reply, `a run, got ${JSON.stringify(reply)}`);
  const { runId, end } = reply as { runId: string; end: RunEndEvent };
  return { ...end, runId };
}

const rlm = () => vscode.workspace.getConfiguration('rlm');

describe('RLM extension in a real VS Code', () => {
  let api: RlmExtensionApi;

  before(async () => {
    const ext = vscode.extensions.getExtension<RlmExtensionApi>('rlm-team.rlm-vscode');
    assert.ok(ext, 'the extension is installed');
    const t0 = Date.now();
    api = await readyExtension();
    console.log(`    activation: activate() ${api.activationMs.toFixed(1)} ms, load + activate ${Date.now() - t0} ms`);
  });

  it('activates lazily: nothing activated it before the first suite ran', () => {
    assert.equal((globalThis as Record<string, unknown>)[ACTIVE_AT_START], false);
  });

  afterEach(async () => {
    await rlm().update('model', 'fake-root', vscode.ConfigurationTarget.Global);
  });

  it('registers every contributed command', async () => {
    const contributed = (vscode.extensions.getExtension('rlm-team.rlm-vscode')!.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    assert.ok(contributed.length >= 10);
    const all = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.filter((c) => !all.has(c)), []);
  });

  it('keeps the API key in SecretStorage (round trip), never in settings', async () => {
    await vscode.commands.executeCommand('rlm.clearApiKey');
    assert.equal(await api.hasApiKey(), false);
    assert.equal(await vscode.commands.executeCommand('rlm.setApiKey', API_KEY), true);
    assert.equal(await api.hasApiKey(), true);
    const settingsText = JSON.stringify(vscode.workspace.getConfiguration().inspect('rlm')?.globalValue ?? {});
    assert.ok(!settingsText.includes(API_KEY), 'the key is not in settings');
  });

  it('answers a question against the fake model server and records it in history', async () => {
    const result = resultOf(await vscode.commands.executeCommand('rlm.askRepo', 'Where is add defined?'));
    assert.equal(result.status, 'answered', result.reason);
    assert.match(result.answer ?? '', /`src\/math\.ts:1`/);
    assert.match(result.answer ?? '', /Sub-model summary/);
    assert.ok(result.subcalls >= 1);
    const entry = (await api.listHistory()).find((e) => e.runId === result.runId);
    assert.equal(entry?.status, 'answered');
    assert.equal(entry?.question, 'Where is add defined?');

    const out = vscode.Uri.file(path.join(os.tmpdir(), `rlm-export-${result.runId}.jsonl`));
    await vscode.commands.executeCommand('rlm.history.exportJsonl', result.runId, out);
    const events = fs.readFileSync(out.fsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    assert.equal(events[0].type, 'run.start');
    assert.equal(events.at(-1)!.type, 'run.end');
    assert.ok(events.some((e) => e.type === 'subcall.start'));
    assert.ok(!fs.readFileSync(out.fsPath, 'utf8').includes(API_KEY), 'no key in the trajectory');

    const md = vscode.Uri.file(path.join(os.tmpdir(), `rlm-export-${result.runId}.md`));
    await vscode.commands.executeCommand('rlm.history.exportMarkdown', result.runId, md);
    assert.match(fs.readFileSync(md.fsPath, 'utf8'), /## Answer[\s\S]*src\/math\.ts:1/);
  });

  it('runs Explain This Folder scoped to the folder', async () => {
    const lib = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'lib');
    const result = resultOf(await vscode.commands.executeCommand('rlm.explainFolder', lib));
    assert.equal(result.status, 'answered', result.reason);
    assert.match(result.answer ?? '', /lib\/strings\.ts:1/);
    assert.doesNotMatch(result.answer ?? '', /src\/math\.ts/, 'files outside the folder are invisible');
    assert.equal((await api.listHistory()).find((e) => e.runId === result.runId)?.scope, 'lib');
  });

  it('refuses Explain This Folder on a folder outside the workspace, instead of explaining the whole workspace', async () => {
    const outside = vscode.Uri.file(fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-outside-')));
    const before = (await api.listHistory()).length;
    const outcome = (await vscode.commands.executeCommand('rlm.explainFolder', outside)) as StartReply;
    assert.ok('refused' in outcome && outcome.refused === 'outside-workspace', JSON.stringify(outcome));
    assert.match(outcome.message, /outside/);
    assert.equal((await api.listHistory()).length, before, 'no run started');
  });

  it('re-runs a run from history with its question and scope', async () => {
    const lib = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'lib');
    const first = resultOf(await vscode.commands.executeCommand('rlm.explainFolder', lib));
    const explained = (await api.listHistory()).find((e) => e.runId === first.runId)!;
    assert.equal(explained.scope, 'lib');
    const result = resultOf(await vscode.commands.executeCommand('rlm.history.rerun', explained.runId));
    assert.equal(result.status, 'answered', result.reason);
    assert.notEqual(result.runId, explained.runId);
    const rerun = (await api.listHistory()).find((e) => e.runId === result.runId);
    assert.equal(rerun?.scope, 'lib');
    assert.equal(rerun?.question, explained.question);
  });

  it('cancels a run in progress', async () => {
    await rlm().update('model', 'fake-slow', vscode.ConfigurationTarget.Global);
    const pending = vscode.commands.executeCommand('rlm.askRepo', 'A slow question') as Thenable<StartReply>;
    await until('the run to start', async () => api.isRunning() && (await api.listHistory()).some((e) => e.question === 'A slow question' && e.status === 'running'));
    await vscode.commands.executeCommand('rlm.cancelRun');
    const result = resultOf(await pending);
    assert.equal(result.status, 'cancelled');
    assert.equal(api.isRunning(), false);
    assert.equal((await api.listHistory()).find((e) => e.runId === result.runId)?.status, 'cancelled');
  });

  it('refuses a second run while one is live', async () => {
    await rlm().update('model', 'fake-slow', vscode.ConfigurationTarget.Global);
    const first = vscode.commands.executeCommand('rlm.askRepo', 'Slow again') as Thenable<StartReply>;
    await until('the run to start', () => api.isRunning() || undefined);
    const second = (await vscode.commands.executeCommand('rlm.askRepo', 'Another')) as StartReply;
    assert.ok('refused' in second && second.refused === 'busy');
    await vscode.commands.executeCommand('rlm.cancelRun');
    assert.equal(resultOf(await first).status, 'cancelled');
  });

  it('two quick starts: one runs, the other is refused as busy', async () => {
    const [a, b] = (await Promise.all([
      vscode.commands.executeCommand('rlm.askRepo', 'Where is add defined?'),
      vscode.commands.executeCommand('rlm.askRepo', 'Where is mul defined?'),
    ])) as StartReply[];
    const refused = [a, b].filter((o) => 'refused' in o);
    assert.equal(refused.length, 1, JSON.stringify([a, b]));
    assert.ok('refused' in refused[0] && refused[0].refused === 'busy');
    const ran = [a, b].find((o) => 'end' in o);
    assert.equal(resultOf(ran).status, 'answered');
  });

  it('fails clearly when the endpoint rejects the key', async () => {
    await vscode.commands.executeCommand('rlm.clearApiKey');
    try {
      const result = resultOf(await vscode.commands.executeCommand('rlm.askRepo', 'Where is add defined?'));
      assert.equal(result.status, 'failed');
      assert.match(result.reason ?? '', /401|key|unauthori[sz]ed/i);
    } finally {
      await vscode.commands.executeCommand('rlm.setApiKey', API_KEY);
    }
  });

  it('applies a settings change to the next run', async () => {
    await rlm().update('limits.maxIterations', 1, vscode.ConfigurationTarget.Global);
    try {
      const result = resultOf(await vscode.commands.executeCommand('rlm.askRepo', 'Where is add defined?'));
      assert.notEqual(result.status, 'answered', 'one turn is not enough for the scripted two-turn answer');
      const out = vscode.Uri.file(path.join(os.tmpdir(), `rlm-export-${result.runId}-limits.jsonl`));
      await vscode.commands.executeCommand('rlm.history.exportJsonl', result.runId, out);
      const iterations = fs.readFileSync(out.fsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'iteration.start');
      assert.ok(iterations.length >= 1);
      for (const it of iterations) assert.equal(it.maxIterations, 1);
    } finally {
      await rlm().update('limits.maxIterations', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('hides what files.exclude and rlm.excludes hide', async () => {
    await vscode.workspace.getConfiguration('files').update('exclude', { '**/lib': true }, vscode.ConfigurationTarget.Global);
    await rlm().update('excludes', ['src/app.ts'], vscode.ConfigurationTarget.Global);
    try {
      const result = resultOf(await vscode.commands.executeCommand('rlm.askRepo', 'Where is add defined?'));
      assert.equal(result.status, 'answered', result.reason);
      assert.match(result.answer ?? '', /`src\/math\.ts:1`/);
      assert.doesNotMatch(result.answer ?? '', /lib\/strings\.ts/, 'files.exclude is honoured');
      assert.doesNotMatch(result.answer ?? '', /`src\/app\.ts:3`/, 'rlm.excludes is honoured');
    } finally {
      await vscode.workspace.getConfiguration('files').update('exclude', undefined, vscode.ConfigurationTarget.Global);
      await rlm().update('excludes', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('shows child runs (depth 2) nested in the panel tree, rebuilt from the real trajectory', async () => {
    await rlm().update('model', 'fake-recursive', vscode.ConfigurationTarget.Global);
    await rlm().update('limits.maxDepth', 2, vscode.ConfigurationTarget.Global);
    try {
      const result = resultOf(await vscode.commands.executeCommand('rlm.askRepo', 'Count the exports recursively'));
      assert.equal(result.status, 'answered', result.reason);
      assert.match(result.answer ?? '', /^done: done: Sub-model summary/);
      const out = vscode.Uri.file(path.join(os.tmpdir(), `rlm-export-${result.runId}-child.jsonl`));
      await vscode.commands.executeCommand('rlm.history.exportJsonl', result.runId, out);
      const events = fs.readFileSync(out.fsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TraceEvent);
      const vm = new TraceViewModel();
      for (const e of events) vm.apply(e);
      const nodes = vm.allNodes();
      const child = nodes.find((n) => n.kind === 'child');
      assert.ok(child, `a child node in ${JSON.stringify(nodes.map((n) => n.kind))}`);
      assert.equal(child.state, 'done');
      assert.match(child.output ?? '', /^done: Sub-model summary/);
      const childIterations = nodes.filter((n) => n.kind === 'iteration' && n.parentId === child.id);
      assert.ok(childIterations.length >= 2, 'the child run has its own iterations under it');
      assert.ok(nodes.filter((n) => n.kind === 'iteration' && n.parentId === undefined).length >= 2, 'the top run has its own iterations at the top');
      assert.equal(vm.outcome?.status, 'answered');
      assert.ok(nodes.every((n) => n.state !== 'running'), 'nothing left running after run.end');
    } finally {
      await rlm().update('limits.maxDepth', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('deletes a run from history', async () => {
    const result = resultOf(await vscode.commands.executeCommand('rlm.askRepo', 'A run to delete'));
    assert.ok((await api.listHistory()).some((e) => e.runId === result.runId));
    assert.equal(await vscode.commands.executeCommand('rlm.history.delete', result.runId), true);
    assert.ok(!(await api.listHistory()).some((e) => e.runId === result.runId));
  });
});
