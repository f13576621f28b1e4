/**
 * Errors that offer the fix: a run or set-up error's message is matched to the one thing the user
 * can do about it (a button on the toast). Matching is on the messages core and lmChatModel write
 * (ModelError wording), so every button has a test with that real wording.
 */
import * as vscode from 'vscode';
import { fixLabelsFor, type FixLabel } from './fixLabels';

export interface FixAction {
  label: FixLabel;
  run(): Thenable<unknown>;
}

const openSetting = (id: string) => vscode.commands.executeCommand('workbench.action.openSettings', id);

/** The fixes for `message`, ready to show as buttons. */
export function fixActionsFor(message: string, retry?: () => unknown): FixAction[] {
  return fixLabelsFor(message).map(({ label, setting }) => ({
    label,
    run: async () => {
      if (label === 'Set API Key') {
        if ((await vscode.commands.executeCommand('rlm.setApiKey')) === true) retry?.();
      } else if (label === 'Select Model') {
        await vscode.commands.executeCommand('rlm.selectModel');
      } else if (setting) {
        await openSetting(setting);
      }
    },
  }));
}

/** Shows `message` as an error toast with its fixes; `retry` runs after a fix that makes a retry worthwhile. */
export function showErrorWithFixes(message: string, retry?: () => unknown): void {
  const actions = fixActionsFor(message, retry);
  void vscode.window.showErrorMessage(message, ...actions.map((a) => a.label)).then((pick) => actions.find((a) => a.label === pick)?.run());
}
