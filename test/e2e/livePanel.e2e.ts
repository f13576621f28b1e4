/**
 * The live panel end to end in a real VS Code (code-server): the root model's reply grows in its
 * node while it streams (a slow fake server), the status line, Copy and Open as Markdown, a
 * follow-up question in the same panel, and the panel restored after "Developer: Reload Window"
 * (finished runs as finished, a run cut by the reload as interrupted).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { askFromPalette, panelFrame, runCommand, screenshot, screenshotOnFailure, startRealVscode, type RealVscode } from './workbench';

const QUESTION = 'Where is add defined?';
const FOLLOW_UP = 'And which other functions are exported?';
const SCREENSHOTS = path.resolve(__dirname, '..', '..', 'media', 'screenshots');

/** Waits for a workbench reloaded by "Developer: Reload Window". */
async function reloadWindow(page: Page): Promise<void> {
  const reloaded = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 60_000 });
  await runCommand(page, 'Developer: Reload Window');
  await reloaded;
  await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
}

describe('the live panel in a real VS Code', function () {
  let vscode: RealVscode | undefined;
  let page: Page;

  before(async () => {
    vscode = await startRealVscode((url) => ({ 'rlm.baseUrl': url, 'rlm.model': 'fake-stream', 'rlm.subModel': 'fake-sub', 'rlm.prices': { 'fake-stream': { input: 3, output: 15 }, 'fake-sub': { input: 0.25, output: 2 } } }));
    ({ page } = vscode);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']).catch(() => undefined);
  });

  after(async () => {
    await vscode?.close();
  });

  afterEach(async function () {
    await screenshotOnFailure(this, page, 'live-failed-');
  });

  it('streams the root reply into its node: the text grows before the reply ends', async () => {
    await askFromPalette(page, QUESTION);
    const panel = panelFrame(page);
    const streaming = panel.locator('.node.kind-model.is-running');
    await streaming.first().waitFor({ timeout: 60_000 });
    await panel.locator('#activity', { hasText: /fake-stream is replying|waiting for fake-stream/ }).waitFor();
    // Open the growing node and read its text as it arrives: two different lengths while it still runs.
    // (Read without waiting: a node that settled no longer matches, and the loop reads again.)
    const lengths = new Set<number>();
    const seen: string[] = [];
    for (let i = 0; i < 300 && lengths.size < 2; i++) {
      const state = await streaming.evaluateAll((els) =>
        els.map((el) => ({ expanded: el.getAttribute('aria-expanded'), text: el.querySelector(':scope > .detail .body-model')?.textContent ?? null })),
      );
      const first = state[0];
      if (first && first.expanded !== 'true') await streaming.first().locator('> .row').click({ timeout: 2_000 }).catch(() => undefined);
      else if (first?.text) lengths.add(first.text.length);
      seen.push(JSON.stringify(first ?? null).slice(0, 60));
      await page.waitForTimeout(100);
    }
    assert.ok(lengths.size >= 2, `the node's text grew while the reply streamed (lengths seen: ${[...lengths].join(', ')}; states: ${seen.slice(-5).join(' | ')})`);
    await screenshot(page, 'live-00-streaming');
    await panel.locator('#status', { hasText: 'answered' }).waitFor({ timeout: 120_000 });
    assert.equal(await panel.locator('#activity').isVisible(), false, 'no status line once the run ended');
  });

  it('copies the answer and a code block, and opens the answer as a Markdown document', async () => {
    const panel = panelFrame(page);
    await panel.locator('#copy-answer').click();
    await page.locator('.statusbar-item', { hasText: 'RLM: answer copied as Markdown' }).waitFor();
    const copied = await page.evaluate('navigator.clipboard.readText()').then((t) => String(t), () => undefined);
    if (copied !== undefined) assert.match(copied, /The first exported function is defined at `src\/math\.ts:1`/);
    const codeCopy = panel.locator('.node.kind-cell button.copy-code').first();
    await codeCopy.waitFor();
    assert.equal(await codeCopy.getAttribute('aria-label'), 'Copy code');
    await codeCopy.focus();
    await page.keyboard.press('Enter');
    await page.locator('.statusbar-item', { hasText: 'RLM: code copied' }).waitFor();

    await panel.locator('#open-markdown').click();
    await page.locator('.tabs-container .tab.active', { hasText: 'Untitled' }).waitFor();
    await page.locator('.monaco-editor .view-line', { hasText: 'The first exported function is defined at' }).first().waitFor();
    await screenshot(page, 'live-01-open-as-markdown');
    await runCommand(page, 'View: Revert and Close Editor');
    await page.locator('.tabs-container .tab', { hasText: 'Untitled' }).waitFor({ state: 'detached' });
  });

  it('asks a follow-up in the same panel: the first question becomes a section with its tree collapsed', async () => {
    const panel = panelFrame(page);
    const input = panel.locator('#follow-up-input');
    await input.waitFor();
    await input.fill(FOLLOW_UP);
    await input.press('Enter');
    await panel.locator('#question', { hasText: FOLLOW_UP }).waitFor({ timeout: 60_000 });
    const earlier = panel.locator('section.earlier');
    await earlier.first().waitFor();
    assert.equal(await earlier.count(), 1);
    assert.match(await earlier.first().innerText(), /Where is add defined\?/);
    assert.match(await earlier.first().locator('.earlier-answer').innerText(), /The first exported function/);
    assert.equal(await earlier.first().locator('details').getAttribute('open'), null, 'the earlier tree is collapsed');
    assert.ok(await panel.locator('#follow-up').isHidden(), 'no follow-up box while the question runs');
    await panel.locator('#status', { hasText: 'answered' }).waitFor({ timeout: 120_000 });
    await panel.locator('#follow-up').waitFor();
    // The second question ran in the first one's REPL: its history shows under the run's conversation.
    await screenshot(page, 'live-02-follow-up');
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'panel-follow-up.png') });
  });

  it('restores the panel after Developer: Reload Window, with both questions', async () => {
    await reloadWindow(page);
    const panel = panelFrame(page);
    await panel.locator('#question', { hasText: FOLLOW_UP }).waitFor({ timeout: 60_000 });
    await panel.locator('#status', { hasText: 'answered' }).waitFor();
    assert.equal(await panel.locator('section.earlier').count(), 1, 'the earlier question came back too');
    await panel.locator('#answer', { hasText: 'The first exported function' }).waitFor();
    await screenshot(page, 'live-03-restored');
  });

  it('restores a run cut by the reload as interrupted', async () => {
    await runCommand(page, 'View: Close All Editors');
    await askFromPalette(page, 'A question cut by a reload');
    const panel = panelFrame(page);
    await panel.locator('.node.kind-model.is-running').first().waitFor({ timeout: 60_000 });
    await reloadWindow(page);
    const restored = panelFrame(page);
    await restored.locator('#question', { hasText: 'A question cut by a reload' }).waitFor({ timeout: 60_000 });
    await restored.locator('#status', { hasText: 'interrupted' }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'live-04-restored-interrupted');
  });
});
