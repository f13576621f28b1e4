/** Driving the VS Code workbench (code-server) like a user: palette, explorer, views, the panel. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { launchBrowser } from '../../scripts/realVscode/browser';
import { startCodeServer, type CodeServer } from '../../scripts/realVscode/codeServer';
import { copyFixture, startFakeModelServer, type FakeModelServer } from '../../scripts/realVscode/fakeModelServer';
import { fakeScript } from '../integration/fixtures/fakeScript';

const REPO = path.resolve(__dirname, '..', '..');
export const ARTIFACTS = path.resolve(__dirname, '..', '..', '.test-artifacts', 'e2e');

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

export async function openWorkbench(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
  // The extension's contributions are registered once its view container shows in the activity bar.
  await page.locator('.activitybar .action-item a[aria-label^="RLM"]').first().waitFor({ timeout: 60_000 });
}

/** F1 and type `text` into the palette. The palette closes when something else takes focus (a
 *  panel updating as a run ends), so a palette that vanished before typing is opened again. */
export async function openPalette(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget input.input');
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('F1');
      await input.waitFor({ timeout: 5_000 });
      await input.fill(text, { timeout: 5_000 });
      return;
    } catch (err) {
      if (attempt >= 4) throw err;
      await page.keyboard.press('Escape').catch(() => undefined);
    }
  }
}

/** F1, type the command's title, pick its row. A palette opened while extensions were still
 *  registering keeps a stale list, so it is reopened a few times before giving up. */
export async function runCommand(page: Page, title: string): Promise<void> {
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  for (let attempt = 1; ; attempt++) {
    await openPalette(page, `>${title}`);
    try {
      await row.waitFor({ timeout: 5_000 });
      break;
    } catch (err) {
      if (attempt >= 4) throw err;
      await page.keyboard.press('Escape');
    }
  }
  await page.keyboard.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' }).catch(() => undefined);
}

/** RLM: Ask the Repo, type `question`, Enter (once the typed question is the row to run). */
export async function askFromPalette(page: Page, question: string): Promise<void> {
  await runCommand(page, 'RLM: Ask the Repo');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor();
  await input.fill(question);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: question }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** The visible webview panel's content frame. */
export function panelFrame(page: Page): FrameLocator {
  return page.locator('iframe.webview.ready').filter({ visible: true }).first().contentFrame().frameLocator('#active-frame');
}

export async function explorerRow(page: Page, name: string) {
  const row = page.locator('.explorer-folders-view .monaco-list-row').filter({ hasText: new RegExp(`^\\s*${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) }).first();
  await row.waitFor();
  return row;
}

/** Titles of the palette's commands matching `filter`, read once `anchor` (always listed) shows,
 *  so the list is complete when read. The palette is closed again. */
export async function paletteTitles(page: Page, filter: string, anchor: string): Promise<string[]> {
  await openPalette(page, `>${filter}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: anchor }).first().waitFor();
  const titles = await page.locator('.quick-input-list .monaco-list-row').allInnerTexts();
  await page.keyboard.press('Escape');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' }).catch(() => undefined);
  return titles;
}

export interface RealVscode {
  fake: FakeModelServer;
  server: CodeServer;
  page: Page;
  /** The copy of the fixture workspace the workbench opened. */
  workspace: string;
  close(): Promise<void>;
}

/** The fake model server, code-server with the packaged extension and `settings` (given the fake
 *  server's URL), and a browser page on the workbench. `onPage` runs before the workbench loads. */
export async function startRealVscode(settings: (fakeUrl: string) => Record<string, unknown>, onPage?: (page: Page) => void): Promise<RealVscode> {
  const fake = await startFakeModelServer(fakeScript());
  const workspace = copyFixture(path.join(REPO, 'test', 'integration', 'fixtures', 'workspace'));
  const server = await startCodeServer({ workspace, vsix: [path.join(REPO, 'rlm-vscode.vsix')], settings: settings(fake.url) });
  const b = await launchBrowser();
  const page = await b.browser.newPage();
  // The machine is shared: loading the workbench can take longer than Playwright's 30 s default.
  page.setDefaultNavigationTimeout(180_000);
  onPage?.(page);
  await openWorkbench(page, `${server.url}/?folder=${encodeURIComponent(workspace)}`);
  return {
    fake,
    server,
    page,
    workspace,
    close: async () => {
      await b.close();
      await server.stop();
      await fake.stop();
    },
  };
}

/** Mocha hook: a screenshot of `page` when the test that just ran failed. */
export async function screenshotOnFailure(ctx: Mocha.Context, page: Page | undefined, prefix: string): Promise<void> {
  if (ctx.currentTest?.state === 'failed' && page) await screenshot(page, `${prefix}${ctx.currentTest.title.replace(/\W+/g, '-')}`);
}
