/** Provider "vscode-lm": the VS Code Language Model API. This code-server has no model provider
 *  (no Copilot), so the user must get the clear "no model" message, not a crash. */
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { NO_LM_MESSAGE, toLmMessages } from '../../../src/vscode/lmChatModel';
import type { StartReply } from '../../../src/vscode/runController';

describe('VS Code language models (vscode-lm)', () => {
  afterEach(async () => {
    await vscode.workspace.getConfiguration('rlm').update('provider', undefined, vscode.ConfigurationTarget.Global);
  });

  it('says clearly that no model is available', async () => {
    assert.deepEqual(await vscode.lm.selectChatModels(), [], 'precondition: no language model provider here');
    await vscode.workspace.getConfiguration('rlm').update('provider', 'vscode-lm', vscode.ConfigurationTarget.Global);
    const outcome = (await vscode.commands.executeCommand('rlm.askRepo', 'Where is add defined?')) as StartReply;
    assert.ok('refused' in outcome, JSON.stringify(outcome));
    assert.equal(outcome.refused, 'setup');
    assert.equal(outcome.message, NO_LM_MESSAGE);
  });

  it('folds the system prompt into the first user message (stable API has user and assistant only)', () => {
    const out = toLmMessages([
      { role: 'system', content: 'You are an RLM.' },
      { role: 'user', content: 'Question?' },
      { role: 'assistant', content: 'code' },
      { role: 'user', content: 'output' },
    ]);
    assert.deepEqual(out.map((m) => m.role), ['user', 'assistant', 'user']);
    assert.match(out[0].content, /^You are an RLM\.[\s\S]*Question\?$/);
  });
});
