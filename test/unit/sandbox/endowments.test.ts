import assert from 'node:assert/strict';
import type { SandboxSession } from '../../../src/core/sandbox/types';
import { sessionPerTest, type Harness } from './helpers';

describe('sandbox endowments', function () {
  let h: Harness;
  let s: SandboxSession;
  sessionPerTest((harness, session) => {
    h = harness;
    s = session;
  });

  describe('context', () => {
    it('is the workspace map, deeply frozen', async () => {
      const r = await s.runCell('[context.root, context.files.map((f) => f.path).sort().join(","), Object.isFrozen(context.files[0]), typeof context.files[0].size]');
      assert.equal(r.output, '[ "ws", "README.md,src/a.ts,src/b.ts", true, "number" ]');
      const w = await s.runCell('context.files[0].path = "x"');
      assert.match(w.error ?? '', /TypeError/);
      const p = await s.runCell('context.files.push({})');
      assert.match(p.error ?? '', /TypeError/);
    });
  });

  describe('readFile', () => {
    it('reads a whole file and a 1-based line range', async () => {
      assert.equal((await s.runCell('await readFile("src/a.ts")')).output, 'export const a = 1;\n// TODO: first\nexport function add(x: number) {\n  return x + a;\n}\n');
      assert.equal((await s.runCell('await readFile("src/a.ts", { start: 2, end: 3 })')).output, '// TODO: first\nexport function add(x: number) {');
    });

    it('numbers rows with the true line numbers and states the line count', async () => {
      const whole = await s.runCell('await readFile("src/a.ts", { numbered: true })');
      assert.equal(whole.output, '[src/a.ts: lines 1-5 of 5]\n1: export const a = 1;\n2: // TODO: first\n3: export function add(x: number) {\n4:   return x + a;\n5: }');
      const part = await s.runCell('await readFile("src/a.ts", { start: 2, end: 3, numbered: true })');
      assert.equal(part.output, '[src/a.ts: lines 2-3 of 5]\n2: // TODO: first\n3: export function add(x: number) {\n[lines 2-3 of 5; more from start: 4]');
      const past = await s.runCell('await readFile("src/a.ts", { start: 9, numbered: true })');
      assert.match(past.error ?? '', /range start \(9\) is past the end of src\/a\.ts \(5 lines\); ask for lines 1-5/);
    });

    it('refuses paths outside the workspace, secrets and FIFOs with messages free of host paths', async () => {
      const cells = ['"/etc/passwd"', '"../../etc/passwd"', '".env"', '"missing.ts"', '"src\\\\a.ts"', '"src/pipe.ts"'];
      for (const p of cells) {
        const r = await s.runCell(`await readFile(${p})`);
        assert.ok(r.error, `refused ${p}`);
        assert.ok(!r.error.includes(h.dir) && !r.error.includes('/tmp') && !r.error.includes('/work'), r.error);
        assert.equal(r.killed, undefined);
      }
    });

    it('validates arguments before anything reaches the host', async () => {
      assert.match((await s.runCell('await readFile(42)')).error ?? '', /TypeError: readFile: path must be a string, got number/);
      assert.match((await s.runCell('await readFile(new String("src/a.ts"))')).error ?? '', /TypeError: readFile: path must be a string/);
      assert.match((await s.runCell('await readFile("src/a.ts", { from: 1 })')).error ?? '', /unknown option "from" \(allowed: start, end, numbered\)/);
      assert.match((await s.runCell('await readFile("src/a.ts", { start: 4, end: 2 })')).error ?? '', /RangeError: readFile: options: start \(4\) is after end \(2\); give start <= end/);
      assert.match((await s.runCell('await readFile("src/a.ts", { start: 0 })')).error ?? '', /start is 0; lines are numbered from 1/);
      assert.match((await s.runCell('await readFile("src/a.ts", { numbered: 1 })')).error ?? '', /option "numbered" must be a boolean/);
      assert.match((await s.runCell('await readFile("src/a.ts", { start: "1" })')).error ?? '', /option "start" must be an integer/);
    });
  });

  describe('code structure', () => {
    it('outline, enclosing, definitions and references return hardened null-prototype rows', async () => {
      const o = await s.runCell('const o = await outline("src/a.ts"); o');
      assert.equal(o.error, undefined);
      assert.match(o.output, /name: "add", kind: "function", start: 3, end: 5/);
      const shape = await s.runCell('[Object.getPrototypeOf(o[0]) === null, Object.isFrozen(o), Object.isFrozen(o[0])]');
      assert.equal(shape.output, '[ true, true, true ]');
      assert.match((await s.runCell('await enclosing("src/a.ts", 4)')).output, /name: "add", kind: "function", start: 3, end: 5/);
      assert.equal((await s.runCell('await enclosing("src/a.ts", 1)')).output, 'null');
      assert.match((await s.runCell('await definitions("add")')).output, /path: "src\/a\.ts", line: 3, end: 5, kind: "function", name: "add"/);
      // The enclosing definition's lines come with the row (read the caller whole in one call).
      const refs = await s.runCell('(await references("a")).map((r) => `${r.path}:${r.line} ${r.enclosing ?? "-"}${r.enclosingStart ? `@${r.enclosingStart}-${r.enclosingEnd}` : ""}`)');
      assert.equal(refs.output, '[ "src/a.ts:1 -", "src/a.ts:4 add@3-5", "src/b.ts:1 -", "src/b.ts:3 -" ]');
    });

    it('says what to do for a language without a grammar and refuses bad arguments in the sandbox', async () => {
      assert.match((await s.runCell('await outline("README.md")')).error ?? '', /no outline for markdown \(README\.md\).*use grep and readFile/);
      assert.match((await s.runCell('await enclosing("src/a.ts", 0)')).error ?? '', /TypeError: enclosing: line must be a whole line number of at least 1/);
      assert.match((await s.runCell('await references("a", { regex: true })')).error ?? '', /unknown option "regex" \(allowed: glob, exclude, maxResults\)/);
    });
  });

  describe('grep', () => {
    it('returns hardened, null-prototype hits with context lines', async () => {
      const r = await s.runCell('const hits = await grep("TODO", { glob: "src/**", contextLines: 1 }); hits');
      assert.match(r.output, /path: "src\/a\.ts", line: 2, text: "\/\/ TODO: first", before: \[ "export const a = 1;" \], after: \[ "export function add\(x: number\) \{" \]/);
      assert.match(r.output, /path: "src\/b\.ts", line: 2/);
      const shape = await s.runCell('[Object.getPrototypeOf(hits[0]) === null, Object.isFrozen(hits), Object.isFrozen(hits[0]), Object.isFrozen(hits[0].before)]');
      assert.equal(shape.output, '[ true, true, true, true ]');
      const other = await s.runCell('(await grep("TODO")) !== hits');
      assert.equal(other.output, 'true');
    });

    it('gives total, files and truncated on the hits, and the files and count modes', async () => {
      const r = await s.runCell('const h = await grep("TODO", { maxResults: 1 }); [h.length, h.total, h.files, h.truncated, Object.isFrozen(h)]');
      assert.match(r.output, /\[ 1, 2, 2, true, true \]$/);
      const f = await s.runCell('const f = await grep("TODO|export", { mode: "files", exclude: "src/b.ts" }); [f.total, f.files, f[0].path, f[0].count]');
      assert.equal(f.output, '[ 3, 1, "src/a.ts", 3 ]');
      const c = await s.runCell('const c = await grep("TODO|a", { mode: "count" }); [c.total, c.files, c.perFile.map((x) => x.path + ":" + x.count).join(",")]');
      assert.equal(c.output, '[ 8, 3, "src/a.ts:4,src/b.ts:3,README.md:1" ]');
      const bad = await s.runCell('await grep("x", { mode: "lines" })');
      assert.match(bad.error ?? '', /mode must be 'hits' \(default\), 'files' or 'count'/);
    });

    it('honours ignoreCase and maxResults', async () => {
      assert.equal((await s.runCell('(await grep("todo", { ignoreCase: true })).length')).output, '2');
      const r = await s.runCell('(await grep("TODO", { maxResults: 1 })).length');
      assert.match(r.output, /\[grep: 1 of 2 matching lines shown \(from 1 of 2 files, spread across folders\); maxResults is 1 \(up to 1,000 allowed\)/);
      assert.ok(r.output.endsWith('1'));
    });
  });

  describe('sub-calls', () => {
    it('llm_query sends the prompt and the model option to the host', async () => {
      const r = await s.runCell('await llm_query("hello", { model: "small" })');
      assert.equal(r.output, 'echo:hello');
      assert.deepEqual(h.subcalls.calls, [{ kind: 'llm', prompt: 'hello', model: 'small' }]);
    });

    it('rlm_query passes prompt and text', async () => {
      assert.equal((await s.runCell('await rlm_query("sum", "body")')).output, 'rlm:sum|body');
      assert.equal((await s.runCell('await rlm_query("sum")')).output, 'rlm:sum|');
    });

    it('llm_batch keeps order, and a failed item does not fail the batch', async () => {
      const r = await s.runCell('await llm_batch(["one", "FAIL two", "HOSTERR three", "four"])');
      assert.equal(
        r.output,
        '[ "echo:one", "[llm_batch item 1 failed: model refused: FAIL two]", "[llm_batch item 2 failed: the sub-call failed]", "echo:four" ]',
      );
      assert.doesNotMatch(r.output, /\/work|ENOENT/);
    });

    it('llm_batch takes {id, prompt} items and returns {id, prompt, reply, error?} in order', async () => {
      const r = await s.runCell('const r = await llm_batch([{ id: "a.ts", prompt: "one" }, { id: "b.ts", prompt: "FAIL two" }]); r');
      assert.equal(
        r.output,
        '[ { id: "a.ts", prompt: "one", reply: "echo:one" }, { id: "b.ts", prompt: "FAIL two", reply: "[llm_batch item 1 failed: model refused: FAIL two]", error: true } ]',
      );
      const shape = await s.runCell('[Object.isFrozen(r), Object.isFrozen(r[0]), Object.getPrototypeOf(r[0]) === null]');
      assert.equal(shape.output, '[ true, true, true ]');
      const errors = [
        ['[{ id: "a", prompt: "x" }, { id: "a", prompt: "y" }]', /\[1\]\.id "a" is used twice: ids must be unique/],
        ['[{ id: "a", prompt: "x" }, "y"]', /prompts\[1\] \(all items \{id, prompt\}, or all strings\) must be an object/],
        ['["x", { id: "a", prompt: "y" }]', /prompts\[1\] \(all items strings, or all \{id, prompt\}\) must be a string/],
        ['[{ id: "", prompt: "x" }]', /id is empty: give each item a name/],
        ['[{ id: "a".repeat(201), prompt: "x" }]', /\.id is 201 characters long; the limit is 200/],
        ['[{ id: 1, prompt: "x" }]', /option "id" must be a string/],
        ['[{ id: "a", prompt: "x", model: "m" }]', /unknown option "model" \(allowed: id, prompt\)/],
      ] as const;
      for (const [arg, want] of errors) assert.match((await s.runCell(`await llm_batch(${arg})`)).error ?? '', want, arg);
    });

    it('llm_batch runs items concurrently but never more than subcallsInFlight', async () => {
      const limited = await h.open({ subcallsInFlight: 3 });
      h.subcalls.maxInFlight = 0;
      const r = await limited.runCell('(await llm_batch(Array.from({ length: 10 }, (_, i) => "p" + i))).length');
      assert.equal(r.output, '10');
      assert.equal(h.subcalls.maxInFlight, 3);
    });

    it('a failing llm_query rejects with the RlmError message only, never a host error', async () => {
      assert.equal((await s.runCell('await llm_query("FAIL now")')).error, 'Error: model refused: FAIL now');
      const host = await s.runCell('await llm_query("HOSTERR")');
      assert.equal(host.error, 'Error: llm_query failed');
    });

    it('refuses getters, proxies, thenables and non-strings as arguments without calling the host', async () => {
      const attempts = [
        'await llm_query({ toString() { return "x" } })',
        'await llm_query("x", { get model() { globalThis.ran = 1; return "m" } })',
        'await llm_query("x", new Proxy({}, { ownKeys() { globalThis.ran = 1; return [] } }))',
        'await llm_query("x", { then(r) { globalThis.ran = 1; r({}) } })',
        'await llm_batch(new Proxy(["a"], {}))',
        'await llm_batch(["a", 1])',
        'await llm_batch((() => { const a = ["a"]; Object.defineProperty(a, 0, { get() { globalThis.ran = 1; return "a" } }); return a })())',
        'await grep("x", Object.create({ glob: "*" }, { ignoreCase: { get() { globalThis.ran = 1; return true }, enumerable: true } }))',
      ];
      for (const code of attempts) {
        const r = await s.runCell(code);
        assert.match(r.error ?? '', /^TypeError: /, code);
      }
      assert.equal((await s.runCell('typeof ran')).output, 'undefined');
      assert.equal(h.subcalls.calls.length, 0);
    });

    it('returns fresh results that model code cannot use to reach the host', async () => {
      const r = await s.runCell('const x = await llm_batch(["a"]); [Object.isFrozen(x), typeof x.constructor]');
      assert.equal(r.output, '[ true, "function" ]');
      const esc = await s.runCell('try { x.constructor.constructor("return process")() } catch (e) { e.message }');
      assert.doesNotMatch(esc.output, /process \{|\[object process\]/);
    });
  });
});
