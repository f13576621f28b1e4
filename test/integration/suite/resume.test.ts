/** Resume from history: a run stopped by a budget goes on as a new run; its recorded turn and
 *  sub-call come back without model requests (cached); RLM: Clear Cache empties the cache. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TraceEvent } from '../../../src/core/trace/types';
import type { RlmExtensionApi } from '../../../src/vscode/extension';
import type { StartReply } from '../../../src/vscode/runController';
import { readyExtension } from './ready';

const API_KEY = 'sk-test-rlm-integration';

describe('resume and the reply cache in VS Code', () => {
  let api: RlmExtensionApi;
  const rlm = () => vscode.workspace.getConfiguration('rlm');
  const events = (runId: string): TraceEvent[] =>
    fs.readFileSync(path.join(api.historyDir, 'runs', `${runId}.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TraceEvent);

  before(async () => {
    api = await readyExtension();
    await vscode.commands.executeCommand('rlm.setApiKey', API_KEY);
    await rlm().update('model', 'fake-root', vscode.ConfigurationTarget.Global);
    await rlm().update('cache.enabled', true, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await rlm().update('cache.enabled', undefined, vscode.ConfigurationTarget.Global);
    await rlm().update('limits.maxModelRequests', undefined, vscode.ConfigurationTarget.Global);
  });

  it('resumes a run stopped by its budget: the recorded turn and sub-call are replayed, not asked again', async () => {
    // Turn 1 (a request), its sub-call (a second), then turn 2 is over the budget.
    await rlm().update('limits.maxModelRequests', 2, vscode.ConfigurationTarget.Global);
    const stopped = (await vscode.commands.executeCommand('rlm.askRepo', 'Which functions are exported? (resume test)')) as StartReply;
    assert.ok('end' in stopped, JSON.stringify(stopped));
    assert.equal(stopped.end.status, 'budget', JSON.stringify(stopped.end));
    await rlm().update('limits.maxModelRequests', undefined, vscode.ConfigurationTarget.Global);

    const resumed = (await vscode.commands.executeCommand('rlm.history.resume', stopped.runId, true)) as StartReply;
    assert.ok('end' in resumed, JSON.stringify(resumed));
    assert.equal(resumed.end.status, 'answered', JSON.stringify(resumed.end));
    assert.notEqual(resumed.runId, stopped.runId);
    const trace = events(resumed.runId);
    const start = trace[0];
    assert.ok(start.type === 'run.start' && start.resumedFrom === stopped.runId);
    const replies = trace.filter((e) => e.type === 'model.response');
    // The recorded turn, the FINAL turn, and the one fix-up turn its unverified reference gets (the
    // fake answer cites src/nowhere.ts on purpose).
    assert.equal(replies.length, 3);
    assert.ok(replies[0].type === 'model.response' && replies[0].cached, 'the recorded turn was asked again');
    assert.ok(replies.slice(1).every((r) => r.type === 'model.response' && !r.cached));
    const sub = trace.find((e) => e.type === 'subcall.end');
    assert.ok(sub?.type === 'subcall.end' && sub.cached === true, 'the recorded sub-call was asked again');
    assert.ok(resumed.end.saved && resumed.end.saved.tokens > 0);
    assert.ok(api.panelSnapshot(resumed.runId)?.usage.saved, 'the meter shows what the cache saved');
    assert.equal((await api.listHistory()).find((e) => e.runId === stopped.runId)?.status, 'budget');

    // RLM: Clear Cache empties what these runs cached.
    const dir = path.join(api.historyDir, 'reply-cache');
    assert.ok(fs.existsSync(path.join(dir, 'index.jsonl')), 'nothing was cached');
    assert.equal(await vscode.commands.executeCommand('rlm.clearCache'), true);
    assert.equal(fs.existsSync(path.join(dir, 'replies')), false);
    assert.equal(fs.existsSync(path.join(dir, 'index.jsonl')), false);
  });
});
