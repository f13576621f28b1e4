/* Webview benchmark: the run panel (dist/webview/main.js) in headless Chromium, fed a 5,000-node
 * recursion tree through the same messages the extension host sends. Goal: renders in <= 300 ms.
 * Run alone: npm run bench:webview   (needs /usr/bin/chromium; see scripts/realVscode/browser.ts) */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium } from 'playwright-core';
import type { InitMessage, NodeView, NodesMessage } from '../src/panelProtocol';
import { PANEL_BODY } from '../src/vscode/panel/panelMarkup';

// Page-side code below runs in Chromium; these names exist there (the project's Node tsconfig has no DOM lib).
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const document: any;
declare const window: any;
declare function requestAnimationFrame(callback: () => void): number;

const ROOT = path.join(__dirname, '..');
const CHROMIUM = process.env.RLM_CHROMIUM ?? '/usr/bin/chromium';
const GOAL_MS = 300;

export interface WebviewRow {
  measure: string;
  value: string;
  goal: string;
}

/** A tree shaped like a long run: iterations, each with a model reply, cells with output, many sub-calls. */
export function syntheticTree(total: number): NodeView[] {
  const nodes: NodeView[] = [];
  const perIteration = 200;
  const iterations = Math.ceil(total / perIteration);
  for (let i = 1; i <= iterations && nodes.length < total; i++) {
    const it = `it${i}`;
    nodes.push({ id: it, kind: 'iteration', title: `Iteration ${i}/${iterations}`, state: 'done', iteration: i, ms: 4000, tokens: 12000, costUsd: 0.02 });
    nodes.push({ id: `${it}-m`, parentId: it, kind: 'model', title: 'root replied: ```js const hits = await grep(…)', body: 'Let me search.\n```js\nconst hits = await grep("TODO")\n```'.repeat(4), state: 'done', ms: 3000, tokens: 9000, costUsd: 0.015 });
    for (let c = 0; c < 3 && nodes.length < total; c++) {
      const cell = `${it}-c${c}`;
      nodes.push({
        id: cell, parentId: it, kind: 'cell', title: `const r${c} = await llm_batch(chunks.map(…))`, state: 'done', ms: 900,
        body: Array.from({ length: 12 }, (_, k) => `const v${k} = await readFile('src/module${k}/file${c}.ts', { start: ${k + 1}, end: ${k + 40} });`).join('\n'),
        output: Array.from({ length: 30 }, (_, k) => `src/module${k % 7}/file${k}.ts:${k + 3}  export function f${k}() { return ${k}; }`).join('\n'),
      });
      const subs = Math.floor((perIteration - 5) / 3);
      for (let s = 0; s < subs && nodes.length < total; s++) {
        nodes.push({
          id: `${cell}-s${s}`, parentId: cell, kind: 'subcall', title: `llm_query → sub (12,000 chars): summarise chunk ${s}`, state: 'done', ms: 700, tokens: 3100, costUsd: 0.0004,
          body: `Summarise this chunk of src/chunk${s}.ts:\n` + 'lorem ipsum dolor sit amet '.repeat(20),
          output: `Chunk ${s} defines helpers used by src/main.ts:${s + 1}.`,
        });
      }
    }
  }
  return nodes.slice(0, total);
}

/** The webview's host, as the benchmark: answers reference checks at once (verified). */
const HOST_STUB = `window.acquireVsCodeApi = () => ({
  postMessage: (m) => {
    if (m.type === 'verifyRefs') setTimeout(() => window.postMessage({ type: 'verifyRefs.reply', seq: m.seq, verified: m.refs.map(() => true) }, '*'));
  },
  getState: () => undefined,
  setState: () => undefined,
});`;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export async function benchWebview(total = 5000, repeats = 5): Promise<WebviewRow[]> {
  const js = path.join(ROOT, 'dist', 'webview', 'main.js');
  const css = path.join(ROOT, 'dist', 'webview', 'main.css');
  if (!fs.existsSync(js)) throw new Error('dist/webview/main.js missing: run `node esbuild.mjs` first');
  const nodes = syntheticTree(total);
  const init: InitMessage = {
    type: 'init',
    header: { runId: 'bench', question: 'Where are the TODOs handled?', startedAt: Date.now() },
    nodes,
    usage: { tokens: 5_000_000, costUsd: 3.2, elapsedMs: 600_000, subcalls: nodes.length, iterations: 25, maxIterations: 30 },
    outcome: { status: 'answered', answer: 'They are handled in `src/main.ts:12` and src/module3/file4.ts:7-20.\n\n- one\n- two' },
    live: false,
  };
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  const results = { init: [] as number[], expandAll: [] as number[], stream: [] as number[], domNodes: 0 };
  try {
    for (let r = 0; r < repeats; r++) {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      page.on('pageerror', (e) => console.error('page error:', e.message));
      await page.setContent(`<!DOCTYPE html><html><head><style>${fs.readFileSync(css, 'utf8')}</style></head><body>${PANEL_BODY}</body></html>`);
      await page.addScriptTag({ content: HOST_STUB });
      await page.addScriptTag({ content: fs.readFileSync(js, 'utf8') });
      const timeTo = (fnBody: string, arg: unknown) =>
        page.evaluate(
          async ({ fnBody, arg }) => {
            const t0 = performance.now();
            new Function('arg', fnBody)(arg);
            document.body.getBoundingClientRect();
            await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
            return performance.now() - t0;
          },
          { fnBody, arg },
        );
      const dispatch = "window.dispatchEvent(new MessageEvent('message', { data: arg }));";
      results.init.push(await timeTo(dispatch, init));
      results.expandAll.push(await timeTo("document.getElementById('expand-all').click();", null));
      results.domNodes = await page.evaluate(() => document.querySelectorAll('.node').length);
      if (results.domNodes < total) throw new Error(`the panel rendered ${results.domNodes} of ${total} nodes after expand all`);
      // Streaming: the same tree arriving in 100 host batches (the host flushes every 80 ms).
      await page.evaluate((m) => window.dispatchEvent(new MessageEvent('message', { data: { ...m, nodes: [] } })), { ...init, live: true });
      const batches: NodesMessage[] = [];
      for (let i = 0; i < nodes.length; i += 50) batches.push({ type: 'nodes', upserts: nodes.slice(i, i + 50), usage: init.usage });
      results.stream.push(
        await timeTo("for (const b of arg) window.dispatchEvent(new MessageEvent('message', { data: b }));", batches),
      );
      await page.close();
    }
  } finally {
    await browser.close();
  }
  const row = (measure: string, xs: number[], goal: string): WebviewRow => ({ measure, value: `${median(xs).toFixed(0)} ms (median of ${xs.length}; min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`, goal });
  return [
    row(`panel init with ${total} nodes (iterations collapsed below the current one)`, results.init, `<= ${GOAL_MS} ms`),
    row(`expand all ${total} nodes (${results.domNodes} tree rows in the DOM, with details)`, results.expandAll, `<= ${GOAL_MS} ms`),
    row(`${total} nodes streamed in ${Math.ceil(total / 50)} batches of 50`, results.stream, `<= ${GOAL_MS} ms`),
  ];
}

if (require.main === module) {
  benchWebview()
    .then((rows) => {
      for (const r of rows) console.log(`${r.measure}: ${r.value}  [goal ${r.goal}]`);
    })
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
