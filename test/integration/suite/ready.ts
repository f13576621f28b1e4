/** What every suite of the trusted window sets up for itself, so that suites and tests pass in any
 *  order (`RLM_TEST_SHUFFLE=<seed> npm run test:integration` shuffles them): the extension
 *  activated, the fake server's API key stored, the scripted root model selected. */
import * as vscode from 'vscode';
import type { RlmExtensionApi } from '../../../src/vscode/extension';

export const API_KEY = 'sk-test-rlm-integration';

export async function readyExtension(): Promise<RlmExtensionApi> {
  const api = await vscode.extensions.getExtension<RlmExtensionApi>('rlm-team.rlm-vscode')!.activate();
  if (!(await api.hasApiKey())) await vscode.commands.executeCommand('rlm.setApiKey', API_KEY);
  await vscode.workspace.getConfiguration('rlm').update('model', 'fake-root', vscode.ConfigurationTarget.Global);
  return api;
}
