/** Settings that cannot work are named before the first model request: a base URL on a port the
 *  runtime refuses, and a cost cap with a model that has no price. */
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { StartReply } from '../../../src/vscode/runController';
import { readyExtension } from './ready';

const rlm = () => vscode.workspace.getConfiguration('rlm');

describe('settings checked before a run', () => {
  let baseUrl: string | undefined;
  before(async () => {
    await readyExtension();
    baseUrl = rlm().inspect<string>('baseUrl')?.globalValue;
  });
  afterEach(async () => {
    await rlm().update('baseUrl', baseUrl, vscode.ConfigurationTarget.Global);
    await rlm().update('limits.maxCostUsd', undefined, vscode.ConfigurationTarget.Global);
    await rlm().update('subModel', 'fake-sub', vscode.ConfigurationTarget.Global);
  });

  it('refuses a base URL on a port Node\'s fetch will not connect to, naming the port', async () => {
    await rlm().update('baseUrl', 'http://127.0.0.1:9/v1', vscode.ConfigurationTarget.Global);
    const outcome = (await vscode.commands.executeCommand('rlm.askRepo', 'Where is add defined?')) as StartReply;
    assert.ok('refused' in outcome, JSON.stringify(outcome));
    assert.equal(outcome.refused, 'setup');
    assert.match(outcome.message, /"rlm\.baseUrl" uses port 9, which Node's fetch refuses/);
  });

  it('refuses a capped run whose sub-model has no price, naming the model and rlm.prices', async () => {
    await rlm().update('limits.maxCostUsd', 0.5, vscode.ConfigurationTarget.Global);
    await rlm().update('subModel', 'fake-unpriced', vscode.ConfigurationTarget.Global);
    const outcome = (await vscode.commands.executeCommand('rlm.askRepo', 'Where is add defined?')) as StartReply;
    assert.ok('end' in outcome, JSON.stringify(outcome));
    assert.equal(outcome.end.status, 'failed');
    assert.match(outcome.end.reason ?? '', /Model "fake-unpriced" has no price, so the cost cap of \$0\.5 cannot be enforced.*"rlm\.prices"/);
  });
});
