/**
 * The panel's bundle (dist/webview/main.js) in headless Chromium with a recording host: model text
 * never becomes live HTML, links and images are dropped, only host-verified references are links,
 * and a click sends a typed openRef message (no command URIs).
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { InitMessage, WebviewToHost } from '../../src/panelProtocol';
import { PANEL_BODY } from '../../src/vscode/panel/panelMarkup';
import { CHROMIUM } from '../../scripts/realVscode/browser';

// Page-side code runs in Chromium, where these exist (the Node tsconfig has no DOM library).
declare const document: { querySelectorAll(selector: string): { length: number } };
declare const window: { postMessage(message: unknown, origin: string): void; __pwned?: number; __posted: unknown[] };

const DIST = path.resolve(__dirname, '..', '..', 'dist', 'webview');

const EVIL = [
  'See `src/math.ts:1` and src/missing.ts:3.',
  'Also `res.json()`, `math.ts:1` (`:1`).',
  '<script>window.__pwned = 1</script>',
  '<img src=x onerror="window.__pwned = 2">',
  '[click me](command:workbench.action.terminal.new) and [js](javascript:window.__pwned=3) and ![i](https://example.com/x.png)',
  '<a href="command:workbench.action.quit">quit</a>',
].join('\n\n');

// Test double for the extension host: records what the panel posts, verifies only src/math.ts.
const HOST = `window.__posted = [];
window.acquireVsCodeApi = () => ({
  postMessage: (m) => {
    window.__posted.push(m);
    // Like the host's RefIndex: "math.ts" ends exactly one mapped path, so it verifies as src/math.ts.
    if (m.type === 'verifyRefs') setTimeout(() => window.postMessage({ type: 'verifyRefs.reply', seq: m.seq, verified: m.refs.map((r) => r.path === 'src/math.ts' || r.path === 'math.ts'), paths: m.refs.map((r) => (r.path === 'math.ts' ? 'src/math.ts' : null)) }, '*'));
  },
  getState: () => undefined,
  setState: () => undefined,
});`;

const CODE = 'print("<script>window.__pwned=5</script>")\nconst r = res.json(); load("src/gone.ts:9")';

describe('run panel security (webview bundle in Chromium)', () => {
  let browser: Browser;
  let page: Page;

  before(async function () {
    if (!fs.existsSync(path.join(DIST, 'main.js'))) throw new Error('build first: node esbuild.mjs');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    page = await browser.newPage();
    await page.setContent(`<!DOCTYPE html><html><head><style>${fs.readFileSync(path.join(DIST, 'main.css'), 'utf8')}</style></head><body>${PANEL_BODY}</body></html>`);
    await page.addScriptTag({ content: HOST });
    await page.addScriptTag({ content: fs.readFileSync(path.join(DIST, 'main.js'), 'utf8') });
    const init: InitMessage = {
      type: 'init',
      header: { runId: 'r1', question: '<b>bold?</b> question', startedAt: 0 },
      nodes: [
        { id: 'i1', kind: 'iteration', title: 'Iteration 1/30', state: 'done', iteration: 1 },
        { id: 'c1', parentId: 'i1', kind: 'cell', title: '<img src=x onerror="window.__pwned=4">', body: CODE, output: 'hit at src/math.ts:1 and src/gone.ts:2', state: 'done' },
      ],
      usage: { tokens: 10, costUsd: null, elapsedMs: 5, subcalls: 0, iterations: 1 },
      outcome: { status: 'answered', answer: EVIL },
      live: false,
    };
    await page.evaluate((m) => window.postMessage(m, '*'), init);
    await page.locator('#answer .ref.verified').first().waitFor();
  });

  after(async () => {
    await browser?.close();
  });

  it('renders no model-written element that could run code or navigate', async () => {
    const counts = await page.evaluate(() => ({
      script: document.querySelectorAll('body script').length, // the test's own scripts sit in <head>
      img: document.querySelectorAll('img').length,
      a: document.querySelectorAll('a').length,
      onerror: document.querySelectorAll('[onerror]').length,
      bold: document.querySelectorAll('#question b').length,
      pwned: window.__pwned,
    }));
    assert.deepEqual(counts, { script: 0, img: 0, a: 0, onerror: 0, bold: 0, pwned: undefined });
    assert.match(await page.locator('#answer').innerText(), /click me/);
    assert.match(await page.locator('#question').innerText(), /<b>bold\?<\/b> question/);
    assert.match(await page.locator('#answer').innerText(), /<script>window.__pwned = 1<\/script>/, 'raw HTML is shown as text');
  });

  it('links only host-verified references; only path-shaped ones in prose are marked unverified', async () => {
    const missing = page.locator('#answer .ref.unverified', { hasText: 'src/missing.ts:3' });
    await missing.waitFor();
    assert.equal(await missing.getAttribute('role'), null);
    // A path without its folder verifies as the one file it ends, and `:1` after it is a line of it.
    assert.deepEqual(await page.locator('#answer .ref.verified').allInnerTexts(), ['src/math.ts:1', 'math.ts:1', ':1']);
    assert.equal(await page.locator('#answer .ref.verified').nth(2).getAttribute('data-path'), 'src/math.ts');
    // An identifier that looks like a file name stays plain code, never "unverified".
    await page.locator('#answer .ref.pending').first().waitFor({ state: 'detached' });
    assert.equal(await page.locator('#answer .unverified', { hasText: 'res.json' }).count(), 0);
    assert.equal(await page.locator('#answer code', { hasText: 'res.json()' }).innerText(), 'res.json()');
    // Code and outputs: verified references link; nothing is marked and the text is never changed.
    await page.locator('.node.kind-cell .output .ref.verified', { hasText: 'src/math.ts:1' }).waitFor();
    await page.locator('.node.kind-cell .output .ref.pending').first().waitFor({ state: 'detached' });
    assert.equal(await page.locator('.node.kind-cell .unverified').count(), 0);
    assert.equal(await page.locator('.node.kind-cell .output').innerText(), 'hit at src/math.ts:1 and src/gone.ts:2');
    assert.equal(await page.locator('.node.kind-cell .body').innerText(), CODE);
  });

  it('a click on a verified reference sends a typed openRef message, nothing else', async () => {
    await page.evaluate(() => (window.__posted.length = 0));
    await page.locator('#answer .ref.verified').first().click();
    await page.locator('#answer .ref.unverified').first().click();
    await page.locator('#answer .ref.verified').nth(1).click();
    const posted = (await page.evaluate(() => window.__posted)) as WebviewToHost[];
    assert.deepEqual(posted, [{ type: 'openRef', ref: { path: 'src/math.ts', line: 1 } }, { type: 'openRef', ref: { path: 'src/math.ts', line: 1 } }]);
  });
});
