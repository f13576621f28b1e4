/** History on disk: reload-safe, interrupted runs, damaged files, reopening, clearing. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RlmExtensionApi } from '../../../src/vscode/extension';
import { readyExtension } from './ready';

describe('run history', () => {
  let api: RlmExtensionApi;
  let index: string;
  let runs: string;

  before(async () => {
    api = await readyExtension();
    index = path.join(api.historyDir, 'index.jsonl');
    runs = path.join(api.historyDir, 'runs');
    fs.mkdirSync(runs, { recursive: true });
  });

  function writeCutOffRun(runId: string, question: string, ts: number): void {
    const start = { type: 'run.start', id: 'e1', ts, runId, question, depth: 1, rootModel: 'fake-root', subModel: 'fake-sub', workspace: { root: 'ws', files: 3, bytes: 100 } };
    const iteration = { type: 'iteration.start', id: 'e2', parentId: 'e1', ts: ts + 1, iteration: 1, maxIterations: 30 };
    fs.writeFileSync(path.join(runs, `${runId}.jsonl`), `${JSON.stringify(start)}\n${JSON.stringify(iteration)}\n`);
    fs.appendFileSync(index, JSON.stringify({ kind: 'start', runId, question, startedAt: ts }) + '\n');
  }

  it('shows a run cut off by a crash or reload as interrupted, and reopens it', async () => {
    writeCutOffRun('cut-off-run', 'A question cut off by a reload', Date.now() + 60_000);
    const entry = (await api.listHistory()).find((e) => e.runId === 'cut-off-run');
    assert.equal(entry?.status, 'interrupted');
    assert.equal(await vscode.commands.executeCommand('rlm.history.open', 'cut-off-run'), true);
  });

  it('skips a damaged index line and a damaged trajectory with a warning, never failing', async () => {
    writeCutOffRun('kept-run', 'A run beside damaged ones', Date.now());
    fs.appendFileSync(index, '{"kind":"start","runId":\n');
    fs.writeFileSync(path.join(runs, 'damaged-run.jsonl'), 'not json at all\n{"also": broken\n');
    fs.appendFileSync(index, JSON.stringify({ kind: 'start', runId: 'damaged-run', question: 'Damaged', startedAt: Date.now() + 30_000 }) + '\n');
    const list = await api.listHistory();
    assert.ok(list.some((e) => e.runId === 'kept-run'), 'other runs still listed');
    assert.equal(await vscode.commands.executeCommand('rlm.history.open', 'damaged-run'), false);
    assert.equal(await vscode.commands.executeCommand('rlm.history.open', 'no-such-run'), false);
  });

  it('clears all runs', async () => {
    writeCutOffRun('run-to-clear', 'A run to clear', Date.now());
    assert.ok((await api.listHistory()).length > 0);
    assert.equal(await vscode.commands.executeCommand('rlm.history.clear', true), true);
    assert.deepEqual(await api.listHistory(), []);
  });
});
