/** A child run's end followed by a failure of the run: history shows the run closed as failed (it
 *  used to stay open and show as interrupted, when a child's end was taken for the run's). */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TraceEvent } from '../../../src/core/trace/types';
import type { RlmExtensionApi } from '../../../src/vscode/extension';
import type { StartReply } from '../../../src/vscode/runController';

const API_KEY = 'sk-test-rlm-integration';

describe('a run\'s life in VS Code', () => {
  let api: RlmExtensionApi;
  const rlm = () => vscode.workspace.getConfiguration('rlm');

  before(async () => {
    api = await vscode.extensions.getExtension<RlmExtensionApi>('rlm-team.rlm-vscode')!.activate();
    await vscode.commands.executeCommand('rlm.setApiKey', API_KEY);
  });

  after(async () => {
    await rlm().update('model', 'fake-root', vscode.ConfigurationTarget.Global);
    await rlm().update('limits.maxDepth', undefined, vscode.ConfigurationTarget.Global);
  });

  it('records a failure after a child run ended as the run\'s end, and closes the run', async () => {
    await rlm().update('model', 'fake-child-then-fail', vscode.ConfigurationTarget.Global);
    await rlm().update('limits.maxDepth', 2, vscode.ConfigurationTarget.Global);
    const reply = (await vscode.commands.executeCommand('rlm.askRepo', 'Count the exports, then fail')) as StartReply;
    assert.ok('end' in reply, JSON.stringify(reply));
    assert.equal(reply.end.status, 'failed', JSON.stringify(reply.end));

    const entry = (await api.listHistory()).find((e) => e.runId === reply.runId);
    assert.equal(entry?.status, 'failed', 'closed in history, not interrupted');
    const out = vscode.Uri.file(path.join(os.tmpdir(), `rlm-export-${reply.runId}-lifecycle.jsonl`));
    await vscode.commands.executeCommand('rlm.history.exportJsonl', reply.runId, out);
    const events = fs.readFileSync(out.fsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TraceEvent);
    assert.ok(events.some((e) => e.type === 'child.end' && e.status === 'answered'), 'the child run ended with child.end');
    assert.deepEqual(events.filter((e) => e.type === 'run.end').length, 1);
    const last = events.at(-1)!;
    assert.ok(last.type === 'run.end' && last.status === 'failed' && last.reason, JSON.stringify(last));
    assert.equal(api.panelSnapshot(reply.runId)?.outcome?.status, 'failed');
  });
});
