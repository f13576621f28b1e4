/** Reference checks of finished and reopened runs: the run's own rules, not a fresh look. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunEndEvent } from '../../../src/core/trace/types';
import type { RlmExtensionApi } from '../../../src/vscode/extension';
import { reopenedRunFiles } from '../../../src/vscode/history/reopenRules';
import { RefVerifier } from '../../../src/vscode/panel/refVerifier';
import { readyExtension } from './ready';

describe('reference checks after a run', () => {
  let api: RlmExtensionApi;
  let runId: string;
  const rlm = () => vscode.workspace.getConfiguration('rlm');

  /** A finished run made with src/app.ts excluded; its panel stays open. */
  async function runWithAppExcluded(): Promise<string> {
    await rlm().update('excludes', ['src/app.ts'], vscode.ConfigurationTarget.Global);
    try {
      const reply = (await vscode.commands.executeCommand('rlm.askRepo', 'Where is add defined?')) as { runId: string; end: RunEndEvent };
      assert.equal(reply.end.status, 'answered', reply.end.reason);
      return reply.runId;
    } finally {
      await rlm().update('excludes', undefined, vscode.ConfigurationTarget.Global);
    }
  }

  // The run the reopening tests reopen from history.
  before(async () => {
    api = await readyExtension();
    runId = await runWithAppExcluded();
  });

  it("a finished run's panel still checks against the run's files (the workspace is released)", async () => {
    const finished = await runWithAppExcluded();
    const verified = await api.verifyRefs(finished, [
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

  it('a run reopened from history checks by real path: a link to a file outside is neither verified nor opened', async () => {
    const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-outside-'));
    fs.writeFileSync(path.join(outside, 'stolen.ts'), 'export const stolen = 1;\n');
    const link = path.join(root, 'src', 'linked.ts');
    fs.symlinkSync(path.join(outside, 'stolen.ts'), link);
    try {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      assert.equal(await vscode.commands.executeCommand('rlm.history.open', runId), true);
      assert.equal(api.panelSnapshot(runId)?.live, false, 'reopened from its trajectory');
      assert.deepEqual(await api.verifyRefs(runId, [{ path: 'src/linked.ts', line: 1 }, { path: 'src/math.ts', line: 1 }]), [false, true]);
      // The panel's click goes through the same check: nothing opens.
      const verifier = new RefVerifier(reopenedRunFiles(undefined));
      assert.equal(await verifier.open({ path: 'src/linked.ts', line: 1 }), false);
      assert.ok(!vscode.window.visibleTextEditors.some((e) => e.document.uri.fsPath.endsWith('linked.ts')), 'no editor shows the outside file');
    } finally {
      fs.rmSync(link, { force: true });
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});
