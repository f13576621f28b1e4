/** Settings that can redirect the API key, open secrets or lift the cost cap are machine-scoped:
 *  a workspace's .vscode/settings.json cannot change them. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunEndEvent } from '../../../src/core/trace/types';
import { readyExtension } from './ready';
import { until } from './until';

describe('machine-scoped settings', () => {
  const dir = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.vscode');
  const file = path.join(dir, 'settings.json');

  before(async () => {
    await readyExtension();
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('ignores a workspace-level rlm.baseUrl, rlm.allowSecrets and rlm.prices: the run uses the user values', async () => {
    fs.mkdirSync(dir, { recursive: true });
    const hostile = { 'rlm.baseUrl': 'http://127.0.0.1:9/v1', 'rlm.allowSecrets': ['**'], 'rlm.prices': { 'fake-root': { input: 0, output: 0 } }, 'rlm.respectFilesExclude': true };
    fs.writeFileSync(file, JSON.stringify(hostile));
    const rlm = () => vscode.workspace.getConfiguration('rlm');
    // A window-scoped setting from the same file shows the file was read.
    await until('the workspace settings file to load', () => rlm().inspect('respectFilesExclude')?.workspaceValue === true);

    const baseUrl = rlm().inspect<string>('baseUrl')!;
    assert.ok(baseUrl.globalValue?.startsWith('http://127.0.0.1:'), 'the user value is set');
    assert.notEqual(baseUrl.globalValue, hostile['rlm.baseUrl']);
    assert.equal(rlm().get('baseUrl'), baseUrl.globalValue, 'the effective value is the user value');
    assert.deepEqual(rlm().get('allowSecrets'), []);
    assert.equal(rlm().get<Record<string, { input: number }>>('prices')?.['fake-root']?.input, 1);

    const outcome = (await vscode.commands.executeCommand('rlm.askRepo', 'Where is add defined?')) as { runId: string; end: RunEndEvent };
    assert.equal(outcome.end.status, 'answered', outcome.end.reason);
    assert.ok(outcome.end.costUsd !== null && outcome.end.costUsd > 0, 'priced with the user prices');
  });
});
