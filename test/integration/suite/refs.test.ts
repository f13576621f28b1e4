/** Reference checks of finished and reopened runs: the run's own rules, not a fresh look. */
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { RunResult } from '../../../src/core/rlm/types';
import type { RlmExtensionApi } from '../../../src/vscode/extension';

describe('reference checks after a run', () => {
  let api: RlmExtensionApi;
  const rlm = () => vscode.workspace.getConfiguration('rlm');

  before(async () => {
    api = await vscode.extensions.getExtension<RlmExtensionApi>('rlm-team.rlm-vscode')!.activate();
  });

  it("a finished run's panel still checks against the run's files (the workspace is released)", async () => {
    await rlm().update('excludes', ['src/app.ts'], vscode.ConfigurationTarget.Global);
    let result: RunResult;
    try {
      result = ((await vscode.commands.executeCommand('rlm.askRepo', 'Where is add defined?')) as { result: RunResult }).result;
    } finally {
      await rlm().update('excludes', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.equal(result.status, 'answered', result.reason);
    const verified = await api.verifyRefs(result.runId, [
      { path: 'src/math.ts', line: 1 },
      { path: 'src/math.ts', line: 999 },
      { path: 'src/app.ts', line: 1 },
      { path: 'src/nowhere.ts' },
    ]);
    assert.deepEqual(verified, [true, false, false, false], 'lines are checked; a file the run could not read is refused');
  });
});
