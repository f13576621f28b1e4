/**
 * `npm run test:integration`: runs the mocha suites inside a real VS Code extension host
 * (code-server, driven by headless Chromium), against the fake model server in its own process.
 * Two windows: a trusted one for the main suite, and one in Restricted Mode.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import type { ConsoleMessage } from 'playwright-core';
import { launchBrowser } from '../../scripts/realVscode/browser';
import { startCodeServer, type CodeServer } from '../../scripts/realVscode/codeServer';
import { copyFixture, startFakeModelServer } from '../../scripts/realVscode/fakeModelServer';
import { fakeScript } from './fixtures/fakeScript';

const REPO = path.resolve(__dirname, '..', '..');
const ARTIFACTS = path.join(REPO, '.test-artifacts', 'integration');
const API_KEY = 'sk-test-rlm-integration';
const TIMEOUT_MS = 5 * 60_000;
const MOCHA_LINE = /^(\s{2,}\S|Shuffled with seed|\s*(✔|✓|\d+\) |\d+ (passing|failing|pending)|[A-Z][\w ]+$|activation:|Error|AssertionError|at |[+-] |expected|actual))/;

/** The extension host logs as console.log('%c INFO', 'color: …', format, ...args): rebuild the line. */
async function consoleText(msg: ConsoleMessage): Promise<string> {
  try {
    const values = await Promise.all(msg.args().map((a) => a.jsonValue()));
    if (typeof values[0] === 'string' && values[0].startsWith('%c')) values.splice(0, 2);
    return util.format(...values).replace(/\s+$/, '');
  } catch {
    return msg.text();
  }
}

function payloadUrl(server: CodeServer, workspace: string, testsEntry: string): string {
  const target = workspace.endsWith('.code-workspace') ? `workspace=${encodeURIComponent(workspace)}` : `folder=${encodeURIComponent(workspace)}`;
  const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(REPO)],
    ['extensionTestsPath', remote(testsEntry)],
  ];
  return `${server.url}/?${target}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

async function runWindow(name: string, server: CodeServer, workspace: string, testsEntry: string): Promise<number> {
  const { browser, close } = await launchBrowser();
  try {
    const page = await browser.newPage();
    let resolveExit!: (code: number) => void;
    const exited = new Promise<number>((r) => (resolveExit = r));
    await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(Number(code)));
    page.on('console', (msg) => {
      void consoleText(msg).then((text) => {
        // Mocha's spec reporter output arrives as console messages from the extension host.
        if (process.env.RLM_TEST_VERBOSE || MOCHA_LINE.test(text)) console.log(`[${name}] ${text}`);
      });
    });
    // A busy machine can take well over the default 30 s to serve the workbench.
    await page.goto(payloadUrl(server, workspace, testsEntry), { timeout: 180_000 });
    const timer = new Promise<number>((r) => setTimeout(() => r(-1), TIMEOUT_MS));
    const code = await Promise.race([exited, timer]);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) }).catch(() => undefined);
    if (code === -1) console.error(`[${name}] timed out after ${TIMEOUT_MS / 1000} s`);
    return code;
  } finally {
    await close();
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  // Before any window: a window that fails to start writes its server log here (and must not hide its error).
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const fake = await startFakeModelServer(fakeScript({ apiKey: API_KEY }));
  const settings = {
    'rlm.baseUrl': fake.url,
    'rlm.model': 'fake-root',
    'rlm.subModel': 'fake-sub',
    'rlm.prices': { 'fake-root': { input: 1, output: 2 }, 'fake-sub': { input: 0.5, output: 1 } },
    // Suites ask the same questions: replies are not reused across them (resume.test.ts turns the cache on).
    'rlm.cache.enabled': false,
  };
  const results: Record<string, number> = {};
  // RLM_TEST_WINDOWS=trusted runs only that window (while working on one suite; see RLM_TEST_SUITES).
  const windows = process.env.RLM_TEST_WINDOWS?.split(',').map((w) => w.trim());
  const wanted = (w: string) => !windows || windows.includes(w);
  try {
    if (wanted('trusted')) {
      const ws = copyFixture(path.join(__dirname, 'fixtures', 'workspace'));
      const trusted = await startCodeServer({ workspace: ws, settings });
      try {
        results.trusted = await runWindow('trusted', trusted, ws, path.join(REPO, 'out', 'test', 'integration', 'index.js'));
      } finally {
        if (results.trusted !== 0) fs.writeFileSync(path.join(ARTIFACTS, 'code-server-trusted.log'), trusted.output());
        await trusted.stop();
      }
    }
    if (wanted('restricted')) {
      const ws2 = copyFixture(path.join(__dirname, 'fixtures', 'workspace'));
      const restricted = await startCodeServer({
        workspace: ws2,
        workspaceTrust: true,
        settings: { ...settings, 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.emptyWindow': false },
      });
      try {
        results.restricted = await runWindow('restricted', restricted, ws2, path.join(REPO, 'out', 'test', 'integration', 'restricted', 'index.js'));
      } finally {
        if (results.restricted !== 0) fs.writeFileSync(path.join(ARTIFACTS, 'code-server-restricted.log'), restricted.output());
        await restricted.stop();
      }
    }
    if (wanted('multiroot')) {
      // Multi-root: two copies of the fixture as folders "calc" and "extra" of one .code-workspace.
      const calc = copyFixture(path.join(__dirname, 'fixtures', 'workspace'));
      const extra = copyFixture(path.join(__dirname, 'fixtures', 'workspace'));
      fs.rmSync(path.join(extra, 'src'), { recursive: true });
      const wsFile = path.join(path.dirname(calc), `rlm-multiroot-${process.pid}.code-workspace`);
      fs.writeFileSync(wsFile, JSON.stringify({ folders: [{ name: 'calc', path: calc }, { name: 'extra', path: extra }] }));
      const multi = await startCodeServer({ workspace: wsFile, settings });
      try {
        results.multiroot = await runWindow('multiroot', multi, wsFile, path.join(REPO, 'out', 'test', 'integration', 'multiroot', 'index.js'));
      } finally {
        if (results.multiroot !== 0) fs.writeFileSync(path.join(ARTIFACTS, 'code-server-multiroot.log'), multi.output());
        await multi.stop();
      }
    }
  } finally {
    await fake.stop();
  }
  const failed = Object.entries(results).filter(([, c]) => c !== 0);
  console.log(`integration: ${Object.entries(results).map(([k, c]) => `${k}=${c === 0 ? 'pass' : `fail(${c})`}`).join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(failed.length ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
