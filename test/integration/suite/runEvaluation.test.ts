/** "RLM: Run Evaluation" in a real VS Code: dataset in, progress, report out and shown in the Markdown preview. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EvalCommandOutcome } from '../../../src/vscode/evalCommand';
import { until } from './until';

describe('RLM: Run Evaluation', () => {
  const rlm = () => vscode.workspace.getConfiguration('rlm');
  let dir: string;

  before(async () => {
    await vscode.extensions.getExtension('rlm-team.rlm-vscode')!.activate();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-eval-int-'));
    await rlm().update('model', 'fake-eval', vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await rlm().update('model', 'fake-root', vscode.ConfigurationTarget.Global);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs RLM and the direct baseline on a dataset, writes the report beside it and opens its preview', async () => {
    const repo = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const dataset = path.join(dir, 'calc.jsonl');
    fs.writeFileSync(dataset, `${JSON.stringify({ id: 'add', repo, question: 'Where is add defined?', choices: ['src/math.ts', 'lib/strings.ts'], answer: 'A' })}\n`);
    const result = (await vscode.commands.executeCommand('rlm.runEvaluation', { dataset: vscode.Uri.file(dataset), baseline: true })) as EvalCommandOutcome;
    assert.ok('outcome' in result, JSON.stringify(result));
    assert.equal(result.outcome.complete, true);
    assert.deepEqual(result.outcome.summaries.map((s) => [s.mode, s.correct, s.questions]), [['rlm', 1, 1], ['direct', 1, 1]]);
    assert.equal(result.report.fsPath, path.join(dir, 'calc-results', 'report.md'));
    assert.match(fs.readFileSync(result.report.fsPath, 'utf8'), /!\[Accuracy vs cost per question, one point per mode\]\(chart\.svg\)/);
    await until('the report preview', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => /report\.md/.test(t.label) && t.input instanceof vscode.TabInputWebview));

    const again = (await vscode.commands.executeCommand('rlm.runEvaluation', { dataset: vscode.Uri.file(dataset), baseline: true, openReport: false })) as EvalCommandOutcome;
    assert.ok('outcome' in again);
    assert.deepEqual([again.outcome.asked, again.outcome.resumed], [0, 2], 'running it again resumes: nothing is asked twice');
  });
});
