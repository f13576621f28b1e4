/** Reopening a run from history while it still works (its panel was closed) shows it live. */
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { RlmExtensionApi } from '../../../src/vscode/extension';
import type { StartReply } from '../../../src/vscode/runController';
import { readyExtension } from './ready';
import { until } from './until';

describe('reopening a live run', () => {
  let api: RlmExtensionApi;
  const rlm = () => vscode.workspace.getConfiguration('rlm');

  before(async () => {
    api = await readyExtension();
  });

  after(async () => {
    await rlm().update('model', 'fake-root', vscode.ConfigurationTarget.Global);
  });

  it('shows the live run, not a frozen snapshot, after its panel was closed', async () => {
    await rlm().update('model', 'fake-slow', vscode.ConfigurationTarget.Global);
    const pending = vscode.commands.executeCommand('rlm.askRepo', 'A slow question to reopen') as Thenable<StartReply>;
    const runId = await until('the run to start', async () => {
      const entry = (await api.listHistory()).find((e) => e.question === 'A slow question to reopen' && e.status === 'running');
      return api.isRunning() && entry?.runId;
    });
    assert.equal(api.panelSnapshot(runId)?.live, true);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await until('the panel to close', () => api.panelSnapshot(runId) === undefined);

    assert.equal(await vscode.commands.executeCommand('rlm.history.open', runId), true);
    const reopened = api.panelSnapshot(runId);
    assert.equal(reopened?.live, true, 'the reopened panel follows the run');
    assert.equal(reopened?.outcome, undefined, 'still running');

    await vscode.commands.executeCommand('rlm.cancelRun');
    const outcome = await pending;
    assert.ok('end' in outcome && outcome.end.status === 'cancelled');
    assert.equal(api.panelSnapshot(runId)?.outcome?.status, 'cancelled', 'the same panel shows the end');
  });
});
