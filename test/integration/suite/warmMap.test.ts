/** The warm map between two questions: VS Code's file-system watchers report a created, an edited,
 *  a deleted and an ignored file, and the second run's map holds exactly that change. What the run
 *  saw is read from its own run.start (the workspace totals in its trajectory) and from its answer,
 *  which lists the grep hits the run's map allowed. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunEndEvent, RunStartEvent } from '../../../src/core/trace/types';
import type { RlmExtensionApi } from '../../../src/vscode/extension';
import { readyExtension } from './ready';
import { until } from './until';

describe('warm map between questions', () => {
  let api: RlmExtensionApi;
  let root: string;
  const made: string[] = [];
  const file = (rel: string, text: string) => {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, text);
    made.push(abs);
  };

  before(async () => {
    api = await readyExtension();
    root = vscode.workspace.workspaceFolders![0].uri.fsPath;
  });
  after(() => {
    for (const abs of made) fs.rmSync(abs, { force: true });
    fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  });

  async function ask(): Promise<{ start: RunStartEvent; end: RunEndEvent }> {
    const reply = (await vscode.commands.executeCommand('rlm.askRepo', 'Where is add defined?')) as { runId: string; end: RunEndEvent };
    assert.ok(reply && 'end' in reply, JSON.stringify(reply));
    assert.equal(reply.end.status, 'answered', reply.end.reason);
    const first = fs.readFileSync(path.join(api.historyDir, 'runs', `${reply.runId}.jsonl`), 'utf8').split('\n')[0];
    return { start: JSON.parse(first) as RunStartEvent, end: reply.end };
  }

  it('the second run sees exactly what was created, edited and deleted, and not the ignored file', async () => {
    await vscode.workspace.getConfiguration('rlm').update('workspace.warmMap', undefined, vscode.ConfigurationTarget.Global);
    const gone = 'export function goneSoon() {}\n';
    const edited = 'export function editedBefore() {}\n';
    file('src/warmGone.ts', gone);
    file('src/warmEdited.ts', edited);
    // A map built by an earlier suite learns of these from its watchers, a moment later.
    await until('the watchers to report the two new files', () => {
      const state = api.warmMap();
      return !state || (!state.stale && state.files.includes('src/warmGone.ts') && state.files.includes('src/warmEdited.ts'));
    });
    const q1 = await ask();
    assert.ok(api.warmMap(), 'the first question built the warm map');
    assert.match(q1.end.answer ?? '', /src\/warmGone\.ts:1/);

    const extra = 'export function extraThing() {}\n';
    const appended = 'export function editedLater() {}\n';
    file('src/warmExtra.ts', extra);
    fs.appendFileSync(path.join(root, 'src/warmEdited.ts'), appended);
    fs.rmSync(path.join(root, 'src/warmGone.ts'));
    file('dist/warmIgnored.ts', 'export function ignoredThing() {}\n');
    // The watchers report a moment later; the map applies what they report between questions.
    const bytes = q1.start.workspace!.bytes + extra.length + appended.length - gone.length;
    await until('the watchers to report the three changes', () => {
      const state = api.warmMap();
      return !!state && !state.stale && state.files.includes('src/warmExtra.ts') && !state.files.includes('src/warmGone.ts') && state.bytes === bytes;
    });

    const q2 = await ask();
    assert.deepEqual(
      { files: q2.start.workspace!.files, bytes: q2.start.workspace!.bytes },
      { files: q1.start.workspace!.files, bytes },
    );
    const answer = q2.end.answer ?? '';
    assert.match(answer, /src\/warmExtra\.ts:1/);
    assert.match(answer, /src\/warmEdited\.ts:2/, 'the edited file is searched as it is now');
    assert.doesNotMatch(answer, /warmGone|warmIgnored/);
  });

  it('with rlm.workspace.warmMap off, the map is dropped and every question scans', async () => {
    await vscode.workspace.getConfiguration('rlm').update('workspace.warmMap', false, vscode.ConfigurationTarget.Global);
    try {
      await until('the warm map to be dropped', () => api.warmMap() === undefined);
      const extra = 'export function coldThing() {}\n';
      file('src/warmCold.ts', extra);
      const q = await ask();
      assert.match(q.end.answer ?? '', /src\/warmCold\.ts:1/);
      assert.equal(api.warmMap(), undefined, 'no map kept');
    } finally {
      await vscode.workspace.getConfiguration('rlm').update('workspace.warmMap', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
