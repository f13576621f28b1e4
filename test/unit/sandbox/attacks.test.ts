import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { SandboxProcess, sandboxEnv } from '../../../src/core/sandbox/process';
import type { SandboxSession } from '../../../src/core/sandbox/types';
import { sessionPerTest, SANDBOX_SCRIPT, type Harness } from './helpers';

/** Escape and abuse attempts of our own: each must fail inside the sandbox, with the host intact. */
describe('sandbox attacks', function () {
  let h: Harness;
  let s: SandboxSession;
  sessionPerTest((harness, session) => {
    h = harness;
    s = session;
  });

  /** The cell must fail, or show that `process` stayed out of reach. */
  async function assertNoProcess(code: string): Promise<void> {
    const r = await s.runCell(code);
    assert.equal(r.killed, undefined, code);
    if (!r.error) assert.equal(r.output, 'undefined', `${code} -> ${r.output}`);
  }

  it('blocks Function-constructor chains', async () => {
    const chains = [
      '(function(){}).constructor("return typeof process")()',
      'Object.getPrototypeOf(async function(){}).constructor("return typeof process")()',
      'Object.getPrototypeOf(function*(){}).constructor("return typeof process")().next().value',
      'Object.getPrototypeOf(async function*(){}).constructor("return typeof process")',
      'this.constructor.constructor("return typeof process")()',
      'print.constructor("return typeof process")()',
      'readFile.constructor("return typeof process")()',
      'context.constructor.constructor("return typeof process")()',
      '[].constructor.constructor("return typeof process")()',
      'Function("return typeof this.process")()',
      '(0, eval)("typeof process")',
      'new Compartment().evaluate("typeof process")',
      'await (async () => { try { await readFile("/etc/passwd") } catch (e) { return e.constructor.constructor("return typeof process")() } })()',
      'await (async () => { try { await llm_query("HOSTERR") } catch (e) { return Object.getPrototypeOf(e).constructor.constructor("return typeof process")() } })()',
    ];
    for (const code of chains) await assertNoProcess(code);
  });

  it('gives no process, require, module, timers, network or stack power', async () => {
    const r = await s.runCell(
      '[typeof process, typeof require, typeof module, typeof Buffer, typeof setTimeout, typeof setImmediate, typeof queueMicrotask, ' +
        'typeof globalThis.process, typeof getStackString, typeof __dirname, typeof fetch, typeof WebAssembly, typeof SharedArrayBuffer, ' +
        'typeof Atomics, typeof FinalizationRegistry, typeof WeakRef].every((t) => t === "undefined")',
    );
    assert.equal(r.output, 'true');
  });

  it('refuses import() however it is written', async () => {
    assert.match((await s.runCell('await import("node:fs")')).error ?? '', /SyntaxError: import\(\) is not available/);
    for (const code of ['(0, eval)("imp" + "ort(\'fs\')")', 'Function("return imp" + "ort(\'fs\')")()', 'new Compartment().evaluate("import(\'fs\')")']) {
      const r = await s.runCell(code);
      assert.ok(r.error, code);
      assert.doesNotMatch(r.output, /\[Function|Promise/, code);
    }
  });

  it('cannot tamper with shared prototypes, in this cell, the next, or host results', async () => {
    const tampering = [
      'Array.prototype.map = () => "pwned"',
      'Object.prototype.polluted = 1',
      'Object.defineProperty(Object.prototype, "polluted", { value: 1 })',
      'Object.setPrototypeOf(Object.prototype, { polluted: 1 })',
      'String.prototype.toString = () => "pwned"',
      'JSON.stringify = () => "pwned"',
      'Promise.prototype.then = function () {}',
    ];
    for (const code of tampering) {
      const r = await s.runCell(code);
      assert.match(r.error ?? '', /TypeError/, code);
    }
    const r = await s.runCell('[[1].map((x) => x + 1), typeof ({}).polluted, JSON.stringify({ a: 1 }), (await grep("TODO")).length, await llm_query("fine")]');
    assert.equal(r.output, '[ [ 2 ], "undefined", "{\\"a\\":1}", 2, "echo:fine" ]');
  });

  it('cannot replace standard globals such as String or JSON, in this cell or for later ones', async () => {
    const attempts = [
      'Object = null',
      'Array = null',
      'String = function () { return "pwned" }',
      'globalThis.JSON = { stringify: () => "pwned", parse: () => ({}) }',
      'Object.defineProperty(globalThis, "Promise", { value: null })',
      'delete globalThis.Math',
      'var Date = null',
      'let Map = 1',
    ];
    for (const code of attempts) {
      const r = await s.runCell(code);
      assert.match(r.error ?? '', /TypeError/, code);
    }
    const r = await s.runCell('print({ a: [1] }); [String(1), JSON.stringify({ a: 1 }), typeof Promise, typeof Math.max, typeof Date.now, typeof new Map().set, (await grep("first")).length]');
    assert.equal(r.output, '{ a: [ 1 ] }\n[ "1", "{\\"a\\":1}", "function", "function", "function", "function", 1 ]');
  });

  it('cannot poison reserved names for later cells', async () => {
    const poison = [
      'print = () => {}',
      'globalThis.FINAL = () => {}',
      'Object.defineProperty(globalThis, "readFile", { value: async () => "fake" })',
      'delete globalThis.grep',
      'console.log = () => {}',
      'answer.content2 = 1',
      'Object.defineProperty(answer, "ready", { value: true })',
      'context.root = "other"',
    ];
    for (const code of poison) {
      const r = await s.runCell(code);
      assert.match(r.error ?? '', /TypeError/, code);
    }
    const r = await s.runCell('print(context.root); console.log((await readFile("README.md")).split("\\n")[0]); FINAL("still mine")');
    assert.equal(r.output, 'ws\n# Demo\n');
    assert.deepEqual(r.final, { value: 'still mine' });
  });

  it('revokes endowments when the cell ends: pending calls reject, late calls fail, the host is told to stop', async () => {
    const one = await s.runCell('globalThis.pending = llm_query("SLOW leak"); "sent"');
    assert.equal(one.output, 'sent');
    const two = await s.runCell('await pending.then(() => "resolved", (e) => e.message)');
    assert.equal(two.output, 'the cell ended before this call returned');
    assert.equal(h.subcalls.signals.at(-1)?.aborted, true, 'the host call was aborted');

    await s.runCell('(async () => { for (let i = 0; i < 100; i++) await null; globalThis.late = await readFile("README.md").then(() => "read", (e) => e.message) })(); 1');
    assert.equal((await s.runCell('late')).output, 'readFile was called after its cell ended; call it inside a cell and await it');
  });

  it('cannot block on a FIFO: reading one is refused at once', async () => {
    const r = await s.runCell('await readFile("src/pipe.ts")');
    assert.equal(r.killed, undefined);
    assert.ok(r.error);
    assert.doesNotMatch(r.error, /\/tmp|\/work/);
  });

  it('never shows a stack or a host path in errors', async () => {
    // SES accepts and ignores a prepareStackTrace hook in compartments; stacks stay empty.
    const r = await s.runCell('Error.prepareStackTrace = (e, frames) => frames.map((f) => f.getFileName())\nconst e = new Error("x"); try { null.y } catch (err) { globalThis.caught = err }\n[e.stack, caught.stack, typeof Error.captureStackTrace]');
    assert.doesNotMatch(r.output, /\//);
    assert.doesNotMatch(r.output, /sandbox\.js|node:internal/);
    const host = await s.runCell('const errs = []\nfor (const p of ["missing.ts", "/etc/passwd"]) { try { await readFile(p) } catch (e) { errs.push(e.stack, e.message) } }\ntry { await llm_query("HOSTERR") } catch (e) { errs.push(e.stack, e.message) }\nerrs');
    assert.doesNotMatch(host.output, /\/tmp|\/work|sandbox\.js|ENOENT/);
    const thrown = await s.runCell('function deep() { throw new Error("deep") }\ndeep()');
    assert.equal(thrown.error, 'Error: deep (line 1)');
  });

  it('gives the child ELECTRON_RUN_AS_NODE=1 as its only variable under Electron, and nothing under Node', () => {
    assert.deepEqual(sandboxEnv({ node: '20.0.0', electron: '35.0.0' }), { ELECTRON_RUN_AS_NODE: '1' });
    assert.deepEqual(sandboxEnv({ node: '20.0.0' }), {});
  });

  it('runs the child with an empty environment (only the IPC channel variables Node itself adds)', async function () {
    if (process.platform !== 'linux') this.skip();
    process.env.RLM_SANDBOX_TEST_SECRET = 'do-not-inherit';
    const proc = new SandboxProcess({ scriptPath: SANDBOX_SCRIPT, heapMb: 64 });
    try {
      await proc.ready;
      const env = fs.readFileSync(`/proc/${proc.pid}/environ`, 'utf8').split('\0').filter(Boolean);
      assert.deepEqual(env.filter((e) => !e.startsWith('NODE_CHANNEL_')), []);
      const cmdline = fs.readFileSync(`/proc/${proc.pid}/cmdline`, 'utf8').split('\0');
      assert.ok(cmdline.includes('--max-old-space-size=64'));
    } finally {
      delete process.env.RLM_SANDBOX_TEST_SECRET;
      proc.kill();
    }
  });
});
