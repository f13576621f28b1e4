import { strict as assert } from 'node:assert';
import type { HistoryEntry } from '../../../src/vscode/history/historyStore';
import { historyDescription } from '../../../src/vscode/history/historyLabel';
import { explainFolderQuestion, panelTitle, questionLabel, startLabel } from '../../../src/runLabel';

describe('run labels (panel header, tab, history row)', () => {
  it('shows Explain This Folder as "Explain <folder>", not its prompt', () => {
    assert.equal(questionLabel(explainFolderQuestion('src/vscode')), 'Explain src/vscode');
    assert.equal(questionLabel('Where is\n  add defined?'), 'Where is add defined?');
  });

  it('puts the start time in the tab title so similar runs differ', () => {
    const t = new Date(2026, 10, 30, 14, 3).getTime();
    assert.equal(startLabel(t, t + 60_000), '14:03');
    assert.equal(startLabel(t, t + 3 * 86_400_000), 'Nov 30 14:03');
    const title = panelTitle(explainFolderQuestion('lib'), t);
    assert.match(title, /^RLM (Nov 30 )?14:03: Explain lib$/);
  });

  it('history rows: status and time; no "$0" for a run that spent nothing; unknown cost said in words', () => {
    const now = new Date(2026, 10, 30, 15, 0).getTime();
    const base: HistoryEntry = { runId: 'r', question: 'q', startedAt: now - 5 * 60_000, status: 'failed', costUsd: 0 };
    assert.equal(historyDescription(base, now), 'failed · 14:55 (5 min ago)');
    assert.equal(historyDescription({ ...base, status: 'answered', costUsd: 0.0234 }, now), 'answered · 14:55 (5 min ago) · $0.02');
    assert.equal(historyDescription({ ...base, status: 'answered', costUsd: null, scope: 'lib' }, now), 'answered · 14:55 (5 min ago) · cost unknown · lib');
  });
});
