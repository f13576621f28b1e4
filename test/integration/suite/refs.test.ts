/** Reference checks of finished and reopened runs: the run's own rules, not a fresh look. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunEndEvent } from '../../../src/core/trace/types';
import type { RlmExtensionApi } from '../../../src/vscode/extension';

describe('reference checks after a run', () => {
  let api: RlmExtensionApi;
  let runId: string;
  const rlm = () => vscode.workspace.getConfiguration('rlm');

  before(async () => {
    api = await vscode.extensions.getExtension<RlmExtensionApi>('rlm-team.rlm-vscode')!.activate();
  });

  it("a finished run's panel still checks against the run's files (the workspace is released)", async () => {
    await rlm().update('excludes', ['src/app.ts'], vscode.ConfigurationTarget.Global);
    let result: RunEndEvent & { runId: string };
    try {
      const reply = (await vscode.commands.executeCommand('rlm.askRepo', 'Where is add defined?')) as { runId: string; end: RunEndEvent };
      result = { ...reply.end, runId: reply.runId };
    } finally {
      await rlm().update('excludes', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.equal(result.status, 'answered', result.reason);
    runId = result.runId;
    const verified = await api.verifyRefs(result.runId, [
      { path: 'src/math.ts', line: 1 },
      { path: 'src/math.ts', line: 999 },
      { path: 'src/app.ts', line: 1 },
      { path: 'src/nowhere.ts' },
    ]);
    assert.deepEqual(verified, [true, false, false, false], 'lines are checked; a file the run could not read is refused');
  });

  it('a run reopened from history refuses secret and excluded files, as its scan did', async () => {
    const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    fs.writeFileSync(path.join(root, '.env'), 'TOKEN=not-for-links\n');
    fs.mkdirSync(path.join(root, 'node_modules', 'dep'), { recursive: true });
    fs.writeFileSync(path.join(root, 'node_modules', 'dep', 'index.js'), 'module.exports = 1;\n');
    try {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      assert.equal(await vscode.commands.executeCommand('rlm.history.open', runId), true);
      assert.equal(api.panelSnapshot(runId)?.live, false, 'reopened from its trajectory');
      const verified = await api.verifyRefs(runId, [
        { path: '.env', line: 1 },
        { path: 'node_modules/dep/index.js', line: 1 },
        { path: 'src/math.ts', line: 1 },
        { path: 'src/math.ts', line: 999 },
      ]);
      assert.deepEqual(verified, [false, false, true, false]);
    } finally {
      fs.rmSync(path.join(root, '.env'), { force: true });
      fs.rmSync(path.join(root, 'node_modules'), { recursive: true, force: true });
    }
  });
});
