/**
 * The run panel's own defences, in a real VS Code (code-server) and Chromium: the real CSP stops
 * injected scripts, the webview can load only the built panel assets, and hostile or malformed
 * messages from the webview are ignored with a log line while the host keeps working.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import type { CodeServer } from '../../scripts/realVscode/codeServer';
import { panelFrame, runCommand, screenshotOnFailure, startRealVscode, type RealVscode } from './workbench';

const REPO = path.resolve(__dirname, '..', '..');

// Page-side code runs in Chromium (the Node tsconfig has no DOM library).
declare const document: {
  addEventListener(type: string, listener: (e: { violatedDirective: string }) => void): void;
  createElement(tag: string): { textContent: string; src: string };
  body: { appendChild(node: unknown): void; insertAdjacentHTML(where: string, html: string): void };
  querySelector(selector: string): { content?: string; src?: string } | null;
};
declare const window: {
  __pwned?: number;
  __violations: string[];
  __replies: unknown[];
  parent: Record<string, (channel: string, data: unknown) => void>;
  addEventListener(type: string, listener: (e: { data: unknown }) => void): void;
};

/** Polls `fn` until it returns a value other than undefined (generous time-out, no timing claims). */
async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** All *.log files under `dir` whose name mentions RLM (the extension's log output channel). */
function rlmLogs(dir: string): string {
  let text = '';
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/RLM.*\.log$/.test(e.name)) text += fs.readFileSync(p, 'utf8');
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return text;
}

describe('run panel defences in a real VS Code', function () {
  let vscode: RealVscode | undefined;
  let server: CodeServer;
  let page: Page;
  let frame: Frame;
  let workspace: string;

  before(async () => {
    vscode = await startRealVscode((url) => ({ 'rlm.baseUrl': url, 'rlm.model': 'fake-root', 'rlm.subModel': 'fake-sub' }));
    ({ server, page, workspace } = vscode);
    await runCommand(page, 'RLM: Ask the Repo');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor();
    await input.fill('Where is add defined?');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Where is add defined?' }).first().waitFor();
    await page.keyboard.press('Enter');
    await panelFrame(page).locator('#answer .ref.verified', { hasText: 'src/math.ts:1' }).waitFor({ timeout: 60_000 });
    const inner = await page.locator('iframe.webview.ready').filter({ visible: true }).first().contentFrame().locator('#active-frame').elementHandle();
    frame = (await inner!.contentFrame())!;
    await frame.evaluate(() => {
      window.__violations = [];
      window.__replies = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective));
      window.addEventListener('message', (e) => window.__replies.push(e.data));
    });
  });

  after(async () => {
    await vscode?.close();
  });

  afterEach(async function () {
    await screenshotOnFailure(this, page, 'failed-defences-');
  });

  it('under the real CSP, injected inline, event-handler and data: scripts do not run', async () => {
    const csp = await frame.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content ?? '');
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-[^']+'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    await frame.evaluate(() => {
      const inline = document.createElement('script');
      inline.textContent = 'window.__pwned = 1';
      document.body.appendChild(inline);
      document.body.insertAdjacentHTML('beforeend', '<img src="data:," onerror="window.__pwned = 2"><div onclick="window.__pwned = 3"></div>');
      const data = document.createElement('script');
      data.src = 'data:text/javascript,window.__pwned=4';
      document.body.appendChild(data);
    });
    const violations = await until('the scripts\' CSP violations', async () => {
      const v = await frame.evaluate(() => window.__violations);
      return v.filter((d) => d.startsWith('script-src')).length >= 4 ? v : undefined;
    });
    assert.ok(violations.includes('script-src-elem') && violations.includes('script-src-attr'), violations.join(', '));
    assert.equal(await frame.evaluate(() => window.__pwned), undefined);
  });

  it('the webview can load the built panel assets and nothing else of the extension or the workspace', async () => {
    const scriptSrc = await frame.evaluate(() => document.querySelector('script[src]')?.src ?? '');
    assert.match(scriptSrc, /\/dist\/webview\/main\.js$/);
    // fetch() is blocked by the CSP (no connect-src), so probe with the elements the CSP allows from
    // the webview's resource origin: a stylesheet (style-src) and images (img-src). Whether the file
    // loads is then decided by localResourceRoots alone.
    const probe = (tag: 'link' | 'img', url: string) =>
      frame.evaluate(
        ([t, u]) =>
          new Promise<string>((resolve) => {
            const el = document.createElement(t) as unknown as { rel: string; href: string; src: string; addEventListener(type: string, f: () => void): void };
            el.addEventListener('load', () => resolve('loaded'));
            el.addEventListener('error', () => resolve('refused'));
            if (t === 'link') {
              el.rel = 'stylesheet';
              el.href = u;
            } else el.src = u;
            document.body.appendChild(el);
          }),
        [tag, url] as const,
      );
    const extRoot = scriptSrc.slice(0, -'/dist/webview/main.js'.length);
    assert.equal(await probe('link', `${extRoot}/dist/webview/main.css`), 'loaded', 'the panel\'s own stylesheet loads');
    assert.equal(await probe('img', `${extRoot}/media/rlm.svg`), 'refused', 'media/ is not a resource root');
    fs.writeFileSync(path.join(workspace, 'probe.svg'), fs.readFileSync(path.join(REPO, 'media', 'rlm.svg')));
    const at = extRoot.indexOf(encodeURI(server.profileDir));
    assert.ok(at > 0, `the extension's path in ${extRoot}`);
    const wsUrl = extRoot.slice(0, at) + encodeURI(path.join(workspace, 'probe.svg'));
    assert.equal(await probe('img', wsUrl), 'refused', 'workspace files are not resources of the panel');
  });

  it('ignores hostile and malformed messages from the webview with a log line, and keeps answering', async () => {
    const logDir = path.join(server.userDataDir, 'logs');
    const before = (rlmLogs(logDir).match(/ignored a(n openRef)? message from the webview/g) ?? []).length;
    const hostile: unknown[] = [
      null,
      7,
      'ready',
      [{ type: 'ready' }],
      { type: 'runCommand', command: 'workbench.action.terminal.new' },
      { type: 'x'.repeat(100_000) },
      { type: 'verifyRefs', seq: 'one', refs: 5 },
      { type: 'verifyRefs', seq: 1, refs: Array.from({ length: 600 }, () => ({ path: 'src/math.ts' })) },
      { type: 'ready', pad: 'x'.repeat(2_000_000) },
      { type: 'openRef', ref: { path: '/etc/passwd' } },
      { type: 'openRef', ref: { path: '../../../../etc/passwd' } },
      { type: 'openRef', ref: { path: 'src/math.ts', line: -1 } },
      { type: 'openRef', ref: 'src/math.ts' },
    ];
    // The panel's frame holds the one acquireVsCodeApi() instance, and VS Code deletes window.parent
    // there; send through the same function that instance calls, in the webview's host frame.
    const host = (await (await page.locator('iframe.webview.ready').filter({ visible: true }).first().elementHandle())!.contentFrame())!;
    await host.evaluate((messages) => {
      const send = (window as unknown as Record<string, (channel: string, data: unknown) => void>).__vscode_post_message__;
      for (const m of messages) send('onmessage', { message: m });
      // A well-formed request after the junk: the host still answers, and only the real file verifies.
      send('onmessage', { message: { type: 'verifyRefs', seq: 424242, refs: [null, { path: '../x' }, { path: 'src/math.ts', line: 1 }] } });
    }, hostile);
    const reply = await until('the verifyRefs reply', async () => {
      const replies = (await frame.evaluate(() => window.__replies)) as { type?: string; seq?: number; verified?: boolean[] }[];
      return replies.find((r) => r?.type === 'verifyRefs.reply' && r.seq === 424242);
    });
    assert.deepEqual(reply.verified, [false, false, true]);
    const logged = await until('a log line per ignored message', async () => {
      const lines = rlmLogs(logDir).match(/ignored a(n openRef)? message from the webview[^\n]*/g) ?? [];
      return lines.length - before >= hostile.length ? lines.slice(before) : undefined;
    });
    assert.ok(logged.some((l) => /unknown message type "runCommand"/.test(l)), logged.join('\n'));
    assert.ok(logged.some((l) => /over 1,000,000 characters/.test(l)), logged.join('\n'));
    assert.ok(logged.some((l) => /600 references/.test(l)), logged.join('\n'));
    assert.ok(logged.every((l) => l.length < 300), 'log lines stay short');
    assert.equal(await page.locator('.tabs-container .tab', { hasText: 'passwd' }).count(), 0, 'no file outside the workspace was opened');
    assert.equal(await page.locator('.notifications-toasts .notification-toast', { hasText: /error/i }).count(), 0);
  });
});
