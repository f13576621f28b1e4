/** Multi-root workspaces: every folder is a root of the map, paths are `root/relative`, and
 *  references in that form are verified and opened in the right folder. */
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { RunEndEvent } from '../../../../src/core/trace/types';
import type { RlmExtensionApi } from '../../../../src/vscode/extension';
import { RefVerifier } from '../../../../src/vscode/panel/refVerifier';

describe('multi-root workspace', () => {
  before(async () => {
    await vscode.extensions.getExtension<RlmExtensionApi>('rlm-team.rlm-vscode')!.activate();
    await vscode.commands.executeCommand('rlm.setApiKey', 'sk-test-rlm-integration');
  });

  it('has two folders', () => {
    assert.deepEqual(vscode.workspace.workspaceFolders?.map((f) => f.name), ['calc', 'extra']);
  });

  it('answers over both roots, with root-prefixed paths', async () => {
    const outcome = (await vscode.commands.executeCommand('rlm.askRepo', 'Where is add defined?')) as { runId: string; end: RunEndEvent };
    assert.equal(outcome.end.status, 'answered', outcome.end.reason);
    assert.match(outcome.end.answer ?? '', /`calc\/src\/math\.ts:1`/);
    assert.match(outcome.end.answer ?? '', /extra\/lib\/strings\.ts:1/);
  });

  it('verifies and opens root-prefixed references in the right folder', async () => {
    const verifier = new RefVerifier();
    assert.equal(await verifier.verify({ path: 'extra/lib/strings.ts', line: 5 }), true);
    assert.equal(await verifier.verify({ path: 'extra/lib/strings.ts', line: 99 }), false, 'past the last line');
    assert.equal(await verifier.verify({ path: 'calc/src/nowhere.ts' }), false);
    assert.equal(await verifier.verify({ path: '../etc/passwd' }), false);
    assert.equal(await verifier.open({ path: 'extra/lib/strings.ts', line: 5 }), true);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor);
    const expected = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![1].uri, 'lib', 'strings.ts');
    assert.equal(editor.document.uri.toString(), expected.toString(), 'the file of the "extra" folder');
    assert.equal(editor.selection.active.line, 4);
  });

  it('explains a folder of the second root, scoped to it', async () => {
    const extra = vscode.workspace.workspaceFolders![1];
    const outcome = (await vscode.commands.executeCommand('rlm.explainFolder', vscode.Uri.joinPath(extra.uri, 'lib'))) as { runId: string; end: RunEndEvent };
    assert.equal(outcome.end.status, 'answered', outcome.end.reason);
    assert.match(outcome.end.answer ?? '', /lib\/strings\.ts:1/);
    assert.doesNotMatch(outcome.end.answer ?? '', /math\.ts/);
  });
});
