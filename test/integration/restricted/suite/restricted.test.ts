import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { RlmExtensionApi } from '../../../../src/vscode/extension';
import type { StartReply } from '../../../../src/vscode/runController';

describe('Restricted Mode', () => {
  let api: RlmExtensionApi;

  before(async () => {
    const ext = vscode.extensions.getExtension<RlmExtensionApi>('rlm-team.rlm-vscode');
    assert.ok(ext, 'the extension is installed');
    api = await ext.activate();
  });

  it('the window really is untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('refuses a run and says why, without starting anything', async () => {
    const before = (await api.listHistory()).length;
    const outcome = (await vscode.commands.executeCommand('rlm.askRepo', 'Where is add defined?')) as StartReply;
    assert.ok(outcome && 'refused' in outcome, `refused, got ${JSON.stringify(outcome)}`);
    assert.equal(outcome.refused, 'untrusted');
    assert.match(outcome.message, /Restricted Mode/);
    assert.match(outcome.message, /model-written code/);
    assert.equal(api.isRunning(), false);
    assert.equal((await api.listHistory()).length, before);
  });

  it('refuses Explain This Folder too', async () => {
    const folder = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'lib');
    const outcome = (await vscode.commands.executeCommand('rlm.explainFolder', folder)) as StartReply;
    assert.ok(outcome && 'refused' in outcome && outcome.refused === 'untrusted');
  });
});
