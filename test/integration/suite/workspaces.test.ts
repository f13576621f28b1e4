/** History is shared by every workspace (global storage): each run records its workspace folders,
 *  and a window shows, re-runs and links only the runs of its own workspace. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunEndEvent } from '../../../src/core/trace/types';
import type { RlmExtensionApi } from '../../../src/vscode/extension';
import type { StartReply } from '../../../src/vscode/runController';
import { readyExtension } from './ready';

describe('history and workspaces', () => {
  let api: RlmExtensionApi;

  before(async () => {
    api = await readyExtension();
  });

  function writeStoredRun(runId: string, folders: string[] | undefined, ts: number): void {
    const runs = path.join(api.historyDir, 'runs');
    fs.mkdirSync(runs, { recursive: true });
    const start = { type: 'run.start', id: 'e1', ts, runId, question: `Question of ${runId}`, depth: 1, rootModel: 'fake-root', subModel: 'fake-sub', workspace: { root: 'ws', files: 3, bytes: 100 } };
    fs.writeFileSync(path.join(runs, `${runId}.jsonl`), `${JSON.stringify(start)}\n`);
    const index = path.join(api.historyDir, 'index.jsonl');
    fs.appendFileSync(index, JSON.stringify({ kind: 'start', runId, question: start.question, folders, startedAt: ts }) + '\n');
    fs.appendFileSync(index, JSON.stringify({ kind: 'end', runId, status: 'answered', costUsd: 0, ms: 5 }) + '\n');
  }

  it('records the open workspace folders in the start line', async () => {
    const outcome = (await vscode.commands.executeCommand('rlm.askRepo', 'Where is add defined?')) as { runId: string; end: RunEndEvent };
    assert.equal(outcome.end.status, 'answered', outcome.end.reason);
    const entry = (await api.listHistory()).find((e) => e.runId === outcome.runId);
    assert.deepEqual(entry?.folders, [vscode.workspace.workspaceFolders![0].uri.toString()]);
    assert.ok((await api.listVisibleHistory()).some((e) => e.runId === outcome.runId));
  });

  it("hides other workspaces' runs, refuses to re-run them and leaves their references unverified; older entries show", async () => {
    writeStoredRun('other-workspace-run', ['file:///elsewhere/another-project'], Date.now() + 1000);
    writeStoredRun('legacy-run', undefined, Date.now() + 2000);
    assert.ok((await api.listHistory()).some((e) => e.runId === 'other-workspace-run'), 'still stored');
    const visible = (await api.listVisibleHistory()).map((e) => e.runId);
    assert.ok(!visible.includes('other-workspace-run'), JSON.stringify(visible));
    assert.ok(visible.includes('legacy-run'), 'entries without folders show');

    const rerun = (await vscode.commands.executeCommand('rlm.history.rerun', 'other-workspace-run')) as StartReply;
    assert.ok(rerun && 'refused' in rerun && rerun.refused === 'other-workspace', JSON.stringify(rerun));

    const ref = [{ path: 'src/math.ts', line: 1 }];
    assert.equal(await vscode.commands.executeCommand('rlm.history.open', 'other-workspace-run'), true);
    assert.deepEqual(await api.verifyRefs('other-workspace-run', ref), [false]);
    assert.equal(await vscode.commands.executeCommand('rlm.history.open', 'legacy-run'), true);
    assert.deepEqual(await api.verifyRefs('legacy-run', ref), [true]);
  });
});
