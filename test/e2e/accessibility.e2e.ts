/**
 * The answered panel in Light, Dark and High Contrast, checked as a user and as axe-core sees it:
 * screenshots per theme, 0 serious or critical axe violations (text contrast at least 4.5:1) in the
 * panel and the history view, and keyboard-only use: Tab to a reference (a visible focus style),
 * Enter opens it, arrow keys move through the tree. Screenshots land in .test-artifacts/e2e/.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/realVscode/browser';
import { startCodeServer, type CodeServer } from '../../scripts/realVscode/codeServer';
import { copyFixture, startFakeModelServer, type FakeModelServer } from '../../scripts/realVscode/fakeModelServer';
import { fakeScript } from '../integration/fixtures/fakeScript';
import { askFromPalette, openPalette, openWorkbench, panelFrame, runCommand, screenshot } from './workbench';

const REPO = path.resolve(__dirname, '..', '..');
const VSIX = path.join(REPO, 'rlm-vscode.vsix');
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const QUESTION = 'Where is add defined?';

const THEMES = [
  { name: 'light', theme: 'Default Light Modern', bodyClass: 'vscode-light' },
  { name: 'dark', theme: 'Default Dark Modern', bodyClass: 'vscode-dark' },
  { name: 'high-contrast', theme: 'Default High Contrast', bodyClass: 'vscode-high-contrast' },
] as const;

interface AxeNode {
  target: string[];
  failureSummary?: string;
}
interface AxeResult {
  id: string;
  impact: string | null;
  help: string;
  nodes: AxeNode[];
}

// Page-side code runs in Chromium, where these exist (the Node tsconfig has no DOM library).
declare const document: { activeElement: { matches(s: string): boolean; dataset: Record<string, string>; textContent: string } | null };
declare const axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeResult[] }> };
declare function getComputedStyle(el: unknown): { color: string; backgroundColor: string };

/** The panel's content frame as a Frame (evaluate needs one; a FrameLocator cannot evaluate). */
async function panelContent(page: Page): Promise<Frame> {
  const outer = await page.locator('iframe.webview.ready').filter({ visible: true }).first().elementHandle();
  const inner = await (await outer!.contentFrame())!.locator('#active-frame').elementHandle();
  return (await inner!.contentFrame())!;
}

/** Runs axe (injected through the debugger protocol, which the panel's CSP does not govern). */
async function axeViolations(frame: Frame, include?: string): Promise<AxeResult[]> {
  if (!(await frame.evaluate('typeof axe !== "undefined"'))) await frame.evaluate(AXE);
  const results = await frame.evaluate(
    ([sel]) => axe.run(sel ? { include: [[sel]] } : { exclude: [] }, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] }),
    [include] as const,
  );
  return results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

const describeViolations = (vs: AxeResult[]) =>
  vs.map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.slice(0, 5).map((n) => `  ${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join('\n')}`).join('\n');

describe('RLM panel accessibility in a real VS Code', function () {
  this.timeout(300_000);
  let fake: FakeModelServer;
  let server: CodeServer;
  let page: Page;
  let closeBrowser: () => Promise<void>;
  let workspace: string;

  /** Picks a colour theme as a user does: Preferences: Color Theme, type its name, pick it. */
  const setTheme = async (theme: string) => {
    // Clicked, not Enter: the palette may rank "Preferences: Browse Color Themes in Marketplace" first.
    await openPalette(page, '>Preferences: Color Theme');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Preferences: Color Theme' }).first().click();
    await page.locator('.quick-input-widget .quick-input-title', { hasText: /theme/i }).waitFor({ timeout: 5_000 }).catch(() => undefined);
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor();
    await input.fill(theme);
    // Click the theme's own row (Enter could take "Browse Additional Color Themes…").
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: theme }).first();
    await row.click();
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
  };

  before(async () => {
    fake = await startFakeModelServer(fakeScript());
    workspace = copyFixture(path.join(REPO, 'test', 'integration', 'fixtures', 'workspace'));
    // No price for the root model: the panel has to say why the cost is unknown.
    const settings = { 'rlm.baseUrl': fake.url, 'rlm.model': 'fake-root', 'rlm.subModel': 'fake-sub', 'rlm.prices': { 'fake-sub': { input: 0.25, output: 2 } } };
    server = await startCodeServer({ workspace, vsix: [VSIX], settings: { ...settings, 'workbench.colorTheme': THEMES[0].theme } });
    const b = await launchBrowser();
    closeBrowser = b.close;
    page = await b.browser.newPage();
    // The machine is shared: loading the workbench can take longer than Playwright's 30 s default.
    page.setDefaultNavigationTimeout(180_000);
    page.setDefaultTimeout(60_000);
    await openWorkbench(page, `${server.url}/?folder=${encodeURIComponent(workspace)}`);
    await askFromPalette(page, QUESTION);
    const panel = panelFrame(page);
    await panel.locator('#status', { hasText: 'answered' }).waitFor({ timeout: 60_000 });
    await panel.locator('#answer .ref.verified', { hasText: 'src/app.ts:4' }).waitFor();
  });

  after(async () => {
    await closeBrowser?.();
    await server?.stop();
    await fake?.stop();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await screenshot(page, `failed-a11y-${this.currentTest.title.replace(/\W+/g, '-')}`);
  });

  for (const t of THEMES) {
    it(`${t.name}: the answered panel has no serious or critical axe violations (contrast included)`, async () => {
      await setTheme(t.theme);
      const panel = panelFrame(page);
      await panel.locator(`body.${t.bodyClass}`).waitFor({ timeout: 30_000 });
      // The code cell of the last iteration is open (highlighted); the first iteration shows its summary.
      await panel.locator('.node.kind-cell .body-cell .hljs-keyword').first().waitFor();
      await panel.locator('.node.kind-iteration .summary').first().waitFor();
      await screenshot(page, `a11y-panel-${t.name}`);
      const violations = await axeViolations(await panelContent(page));
      assert.equal(violations.length, 0, describeViolations(violations));
    });
  }

  it('high contrast: code in the answer is visible (its colour differs from its background)', async () => {
    await setTheme('Default High Contrast');
    const panel = panelFrame(page);
    await panel.locator('body.vscode-high-contrast').waitFor();
    const code = panel.locator('#answer code').first();
    const [fg, bg] = await code.evaluate((el) => {
      const s = getComputedStyle(el);
      return [s.color, s.backgroundColor];
    });
    assert.notEqual(fg, bg);
    assert.notEqual(fg, 'rgb(0, 0, 0)', 'not black text on the black High Contrast background');
  });

  it('the history view has no serious or critical axe violations', async () => {
    await setTheme('Default Light Modern');
    await page.locator('.activitybar .action-item a[aria-label^="RLM"]').first().click();
    const row = page.locator('[id="workbench.view.extension.rlm"] .monaco-list-row', { hasText: QUESTION }).first();
    await row.waitFor({ timeout: 30_000 });
    assert.match(await row.innerText(), /answered · \d\d:\d\d/, 'a row says its status and start time');
    await screenshot(page, 'a11y-history');
    const violations = await axeViolations(page.mainFrame(), '[id="workbench.view.extension.rlm"]');
    assert.equal(violations.length, 0, describeViolations(violations));
  });

  it('keyboard only: Tab reaches a reference with a visible focus style; Enter opens it', async () => {
    await setTheme('Default Dark Modern');
    const panel = panelFrame(page);
    await panel.locator('body.vscode-dark').waitFor();
    // Put the keyboard in the panel (as a click on its heading would), then only keys.
    await panel.locator('#question').click();
    const frame = await panelContent(page);
    const onRef = () => frame.evaluate(() => !!document.activeElement?.matches('#answer .ref.verified'));
    let tabs = 0;
    while (!(await onRef())) {
      assert.ok(++tabs < 40, 'Tab reaches a reference of the answer');
      await page.keyboard.press('Tab');
    }
    // A string, not a function: the test runner's transpiler would wrap inner functions in a helper
    // that does not exist in the page.
    const styles = (await frame.evaluate(`(() => {
      const refs = [...document.querySelectorAll('#answer .ref.verified')];
      const focused = refs.find((r) => r === document.activeElement);
      const other = refs.find((r) => r !== document.activeElement);
      const look = (el) => { const s = getComputedStyle(el); return { outline: s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor, color: s.color }; };
      return { focused: look(focused), unfocused: look(other), text: focused.textContent };
    })()`)) as { focused: { outline: string; color: string }; unfocused: { outline: string; color: string }; text: string };
    assert.notDeepEqual(styles.focused, styles.unfocused, 'the focused reference looks different');
    assert.doesNotMatch(styles.focused.outline, /^none|\s0px\s/, `a visible outline: ${styles.focused.outline}`);
    await screenshot(page, 'a11y-reference-focus');
    await page.keyboard.press('Enter');
    const file = path.basename(styles.text.split(':')[0]);
    await page.locator('.tabs-container .tab.active', { hasText: file }).waitFor();
  });

  it('keyboard only: the tree is one Tab stop and arrow keys move between its rows', async () => {
    await runCommand(page, 'View: Close All Editors');
    await page.locator('[id="workbench.view.extension.rlm"] .monaco-list-row', { hasText: QUESTION }).first().click();
    const panel = panelFrame(page);
    await panel.locator('#status', { hasText: 'answered' }).waitFor();
    await panel.locator('#question').click();
    const frame = await panelContent(page);
    const active = () => frame.evaluate(() => (document.activeElement?.matches('[role="treeitem"]') ? document.activeElement.dataset.id : undefined));
    let tabs = 0;
    while (!(await active())) {
      assert.ok(++tabs < 60, 'Tab reaches the tree');
      await page.keyboard.press('Tab');
    }
    const first = await active();
    assert.equal(await panel.locator('[role="treeitem"][tabindex="0"]').count(), 1, 'one row in the Tab order');
    await page.keyboard.press('ArrowDown');
    const second = await active();
    assert.ok(second && second !== first, 'ArrowDown moves to the next row');
    await page.keyboard.press('ArrowUp');
    assert.equal(await active(), first, 'ArrowUp moves back');
    // Right opens a collapsed iteration, Left closes it again.
    const item = panel.locator(`[role="treeitem"][data-id="${first}"]`);
    const before = await item.getAttribute('aria-expanded');
    await page.keyboard.press(before === 'true' ? 'ArrowLeft' : 'ArrowRight');
    assert.equal(await item.getAttribute('aria-expanded'), before === 'true' ? 'false' : 'true');
    await page.keyboard.press('Enter');
    assert.equal(await item.getAttribute('aria-expanded'), before);
    await screenshot(page, 'a11y-tree-keyboard');
  });
});
