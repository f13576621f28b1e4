/**
 * End to end, as a user: install the .vsix into a real VS Code (code-server), ask from the palette,
 * watch the panel, click a reference, explain a folder from the explorer, reload, reopen from history.
 * Screenshots land in .test-artifacts/e2e/.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { CodeServer } from '../../scripts/realVscode/codeServer';
import { askFromPalette, explorerRow, panelFrame, paletteTitles, runCommand, screenshot, screenshotOnFailure, startRealVscode, type RealVscode } from './workbench';

const QUESTION = 'Where is add defined?';

describe('RLM in a real VS Code, as a user', function () {
  let vscode: RealVscode | undefined;
  let server: CodeServer;
  let page: Page;
  const cspViolations: string[] = [];

  before(async () => {
    vscode = await startRealVscode(
      (url) => ({ 'rlm.baseUrl': url, 'rlm.model': 'fake-steady', 'rlm.subModel': 'fake-sub', 'rlm.prices': { 'fake-steady': { input: 3, output: 15 }, 'fake-sub': { input: 0.25, output: 2 } } }),
      (p) =>
        p.on('console', (msg) => {
          if (/Content Security Policy|Refused to/i.test(msg.text())) cspViolations.push(msg.text());
        }),
    );
    ({ server, page } = vscode);
  });

  after(async () => {
    await vscode?.close();
  });

  afterEach(async function () {
    await screenshotOnFailure(this, page, 'failed-');
  });

  it('asks from the palette and shows the tree and the answer', async () => {
    await askFromPalette(page, QUESTION);

    const panel = panelFrame(page);
    // Live: the tree grows while the run works (each root turn takes 3 s on the fake server).
    await panel.locator('#question', { hasText: QUESTION }).waitFor();
    // Iteration 2 starts (iteration 1 folds away) while the root model is still thinking.
    await panel.locator('.node.kind-iteration').nth(1).waitFor();
    assert.equal(await panel.locator('#status').innerText(), 'running', 'the tree grows before the run ends');
    await panel.locator('.node.kind-iteration').first().locator('> .row').click();
    await panel.locator('.node.kind-cell .body-cell', { hasText: "grep('export function')" }).first().waitFor();
    await panel.locator('.node.kind-subcall').first().waitFor();
    assert.equal(await panel.locator('#status').innerText(), 'running', 'earlier iterations can be opened while the run works');
    assert.ok(await panel.locator('#cancel').isVisible(), 'Cancel is offered while the run works');
    await page.locator('.statusbar-item', { hasText: 'RLM: iteration' }).waitFor();
    await screenshot(page, '00-live-run');
    await panel.locator('#status', { hasText: 'answered' }).waitFor({ timeout: 60_000 });
    assert.ok(!(await panel.locator('#cancel').isVisible()), 'no Cancel once the run ended');
    // The tree: iterations, the code cell (expanded in the current iteration) and the sub-call.
    const iterations = panel.locator('.node.kind-iteration');
    assert.ok((await iterations.count()) >= 2, 'two iterations');
    await panel.locator('.node.kind-cell .body-cell', { hasText: 'FINAL(' }).first().waitFor();
    // The answer: verified references are links, the invented one is marked unverified.
    await panel.locator('#answer .ref.verified', { hasText: 'src/math.ts:1' }).waitFor();
    await panel.locator('#answer .ref.verified', { hasText: 'src/app.ts:4' }).waitFor();
    const bogus = panel.locator('#answer .ref.unverified', { hasText: 'src/nowhere.ts:12' });
    await bogus.waitFor();
    assert.equal(await bogus.getAttribute('role'), null, 'an unverified reference is not a link');
    assert.match(await panel.locator('#answer').innerText(), /Sub-model summary/);
    assert.match(await panel.locator('#usage-cost').innerText(), /^\$/);
    await screenshot(page, '01-answer-and-tree');
  });

  it('opens the editor at the referenced line when a reference is clicked', async () => {
    await panelFrame(page).locator('#answer .ref.verified', { hasText: 'src/app.ts:4' }).click();
    await page.locator('.tabs-container .tab.active', { hasText: 'app.ts' }).waitFor();
    await page.locator('.statusbar-item', { hasText: 'Ln 4, Col 1' }).waitFor();
    const line = page.locator('.monaco-editor .view-line', { hasText: 'console.log(add(2, 3));' });
    await line.waitFor();
    await screenshot(page, '02-editor-at-line');
  });

  it('explains a folder from the explorer context menu, scoped to it', async () => {
    await runCommand(page, 'View: Close All Editors');
    const lib = await explorerRow(page, 'lib');
    await lib.click({ button: 'right' });
    const item = page.locator('.monaco-menu .action-item', { hasText: 'RLM: Explain This Folder' }).first();
    await item.waitFor();
    await item.hover();
    await item.click();
    // A menu opened a moment ago may swallow the first click; the hovered item also takes Enter.
    const menuGone = await item.waitFor({ state: 'hidden', timeout: 3_000 }).then(() => true, () => false);
    if (!menuGone) await page.keyboard.press('Enter');
    const panel = panelFrame(page);
    await panel.locator('#status', { hasText: 'answered' }).waitFor({ timeout: 60_000 });
    await panel.locator('#scope', { hasText: 'lib' }).waitFor();
    await panel.locator('#answer .ref.verified', { hasText: 'lib/strings.ts:1' }).waitFor();
    assert.doesNotMatch(await panel.locator('#answer').innerText(), /src\/math\.ts/, 'only the folder is visible to the run');
    await screenshot(page, '03-explain-folder');
  });

  it('cancels a run from the panel', async () => {
    await runCommand(page, 'View: Close All Editors');
    await runCommand(page, 'RLM: Ask the Repo');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor();
    // The input remembers recent questions.
    await page.locator('.quick-input-list .monaco-list-row', { hasText: QUESTION }).filter({ hasText: 'recent' }).first().waitFor();
    await input.fill('A question to cancel');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'A question to cancel' }).first().waitFor();
    await page.keyboard.press('Enter');
    const panel = panelFrame(page);
    await panel.locator('.node.kind-iteration').first().waitFor();
    await panel.locator('#cancel').click();
    await panel.locator('#status', { hasText: 'cancelled' }).waitFor({ timeout: 30_000 });
    await page.locator('.statusbar-item', { hasText: 'RLM: iteration' }).waitFor({ state: 'detached' });
  });

  it('offers "RLM: Cancel Run" in the palette only while a run is live, and it cancels', async () => {
    const hasCancel = async () => (await paletteTitles(page, 'RLM: ', 'RLM: Ask the Repo')).some((t) => t.includes('RLM: Cancel Run'));
    assert.equal(await hasCancel(), false, 'no Cancel Run without a run');
    await runCommand(page, 'RLM: Ask the Repo');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor();
    await input.fill('A question cancelled from the palette');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'A question cancelled from the palette' }).first().waitFor();
    await page.keyboard.press('Enter');
    const panel = panelFrame(page);
    await panel.locator('#question', { hasText: 'A question cancelled from the palette' }).waitFor();
    await runCommand(page, 'RLM: Cancel Run');
    await panel.locator('#status', { hasText: 'cancelled' }).waitFor({ timeout: 30_000 });
    // The run has fully ended (and its context key is cleared) once its status-bar item is gone.
    await page.locator('.statusbar-item', { hasText: /RLM: (starting|iteration)/ }).waitFor({ state: 'detached' });
    assert.equal(await hasCancel(), false, 'no Cancel Run once the run ended');
  });

  it('lists both runs in history after a reload and reopens one from its trajectory', async () => {
    await page.reload();
    await page.locator('.monaco-workbench').waitFor();
    await page.locator('.activitybar .action-item a[aria-label^="RLM"]').first().click();
    const rows = page.locator('.pane-body .monaco-list-row', { has: page.locator('.monaco-icon-label') });
    const askRow = rows.filter({ hasText: QUESTION }).first();
    const explainRow = rows.filter({ hasText: 'Explain lib' }).first();
    await askRow.waitFor({ timeout: 30_000 });
    await explainRow.waitFor();
    // Newest first.
    const labels = await page.locator('[id="workbench.view.extension.rlm"] .monaco-list-row').allInnerTexts();
    const iAsk = labels.findIndex((l) => l.includes(QUESTION));
    const iExplain = labels.findIndex((l) => l.includes('Explain lib'));
    assert.ok(iExplain >= 0 && iAsk > iExplain, `newest first: ${JSON.stringify(labels)}`);
    assert.equal(labels.filter((l) => l.includes('Explain lib')).length, 1, 'one right-click, one run');
    await screenshot(page, '04-history-after-reload');

    await askRow.click();
    const panel = panelFrame(page);
    await panel.locator('#status', { hasText: 'answered' }).waitFor({ timeout: 30_000 });
    await panel.locator('#answer .ref.verified', { hasText: 'src/math.ts:1' }).waitFor();
    assert.ok((await panel.locator('.node.kind-iteration').count()) >= 2, 'the tree is rebuilt from the trajectory');
    await screenshot(page, '05-reopened-from-history');
  });

  it('sets the API key from the palette (a password box), kept out of settings', async () => {
    await runCommand(page, 'RLM: Set API Key');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor();
    assert.equal(await input.getAttribute('type'), 'password');
    await input.fill('sk-e2e-secret-value');
    await page.keyboard.press('Enter');
    await page.locator('.notifications-toasts', { hasText: 'API key saved' }).waitFor();
    const settings = fs.readFileSync(path.join(server.userDataDir, 'User', 'settings.json'), 'utf8');
    assert.ok(!settings.includes('sk-e2e-secret-value'));
  });

  it('the panel ran without Content Security Policy violations', () => {
    assert.deepEqual(cspViolations, []);
  });
});
