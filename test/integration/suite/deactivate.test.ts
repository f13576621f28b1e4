/** deactivate() (a reload or closing VS Code) interrupts the active run and lets it end as 'interrupted'
 *  before the sandbox pool is disposed. Any order: the pool is created again on the next run, so later
 *  suites still run. */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RlmExtensionApi } from '../../../src/vscode/extension';
import type { StartReply } from '../../../src/vscode/runController';
import { readyExtension } from './ready';

describe('deactivate', () => {
  const rlm = () => vscode.workspace.getConfiguration('rlm');

  after(async () => {
    await rlm().update('model', 'fake-root', vscode.ConfigurationTarget.Global);
  });

  it('interrupts the active run (it ends interrupted, not cancelled, and history says so) before disposing the sandbox', async () => {
    const ext = vscode.extensions.getExtension<RlmExtensionApi>('rlm-team.rlm-vscode')!;
    const api = await readyExtension();
    // The module the extension host loaded (Node's module cache): its real deactivate().
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- require() returns that cached instance
    const main = require(path.join(ext.extensionPath, 'dist', 'extension.js')) as { deactivate(): Promise<void> };
    await rlm().update('model', 'fake-slow', vscode.ConfigurationTarget.Global);
    const question = 'A question cut by deactivation';
    const pending = vscode.commands.executeCommand('rlm.askRepo', question) as Thenable<StartReply>;
    const entry = async () => (await api.listHistory()).find((e) => e.question === question);
    const deadline = Date.now() + 20_000;
    while (!(api.isRunning() && (await entry())?.status === 'running')) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the run to start');
      await new Promise((r) => setTimeout(r, 100));
    }
    await main.deactivate();
    assert.equal(api.isRunning(), false, 'no run left once deactivate() returned');
    const outcome = await pending;
    assert.ok('end' in outcome && outcome.end.status === 'interrupted', JSON.stringify(outcome));
    assert.match(outcome.end.reason ?? '', /VS Code closed or reloaded/);
    assert.equal((await entry())?.status, 'interrupted');
  });
});
