import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { CellCalls } from '../../../src/core/sandbox/rpc';
import { DEFAULT_SANDBOX_LIMITS } from '../../../src/core/sandbox/types';
import { makeHarness, run, SANDBOX_SCRIPT, type Harness } from './helpers';

/** Each limit trips with a clear message, the host stays responsive, and the REPL carries on. */
describe('sandbox limits', function () {
  this.timeout(30_000);
  let h: Harness;
  before(async () => {
    h = await makeHarness({ cellTimeoutMs: 1500, heapMb: 64, rssMb: 300 });
  });
  after(async () => h.close());

  /** Counts host event-loop ticks while `fn` runs: a blocked host would count none. */
  async function ticksDuring<T>(fn: () => Promise<T>): Promise<{ value: T; ticks: number }> {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 10);
    try {
      return { value: await fn(), ticks };
    } finally {
      clearInterval(timer);
    }
  }

  it('kills an infinite loop at the wall timer, keeps the host ticking, and says variables were lost', async () => {
    const s = await h.open();
    await run(s, 'let before = 1');
    const { value: r, ticks } = await ticksDuring(() => s.runCell('print("started"); while (true) {}'));
    assert.equal(r.killed, 'timeout');
    assert.match(r.error ?? '', /ran longer than the 1\.5 s limit.*variables are lost/);
    assert.equal(r.output, 'started\n', 'output printed before the kill is kept');
    assert.ok(ticks > 0, 'the host event loop kept running');
    const next = await s.runCell('typeof before');
    assert.equal(next.variablesLost, true);
    assert.match(next.output, /^\[The sandbox was restarted .* variables from earlier cells are lost/);
    assert.ok(next.output.endsWith('undefined'));
    const after = await s.runCell('let again = 2; again');
    assert.equal(after.variablesLost, undefined);
    assert.equal(after.output, '2');
    await s.dispose();
  });

  it('does not count time spent waiting for sub-calls against the cell time limit', async () => {
    const s = await h.open({ cellTimeoutMs: 1000 });
    // Ten sequential 150 ms sub-calls: at least 1.5 s of wall time, almost none of it the cell's.
    const r = await s.runCell('for (let i = 0; i < 10; i++) await llm_query("SLOW " + i); "done"');
    assert.equal(r.killed, undefined, r.error);
    assert.equal(r.output, 'done');
    await s.dispose();
  });

  it('still kills a cell that computes forever while a sub-call is pending', async () => {
    const s = await h.open({ cellTimeoutMs: 400 });
    const r = await s.runCell('llm_query("SLOW pending"); while (true) {}');
    assert.equal(r.killed, 'timeout');
    await s.dispose();
  });

  const memoryBombs: Array<[string, string]> = [
    ['a huge array fill', 'new Array(1e9).fill(0)'],
    ['fill on an array-like of length 2**32-1', 'Array.prototype.fill.call({ length: 2 ** 32 - 1 }, 0)'],
    ['big ArrayBuffers outside the heap', 'const keep = []; for (let i = 0; i < 200; i++) { const b = new Uint8Array(64 * 1024 * 1024); b.fill(1); keep.push(b) }'],
    ['an ever-growing object graph', 'const g = []; while (true) g.push({ a: [1, 2, 3], b: "x" + g.length })'],
  ];
  for (const [name, code] of memoryBombs) {
    it(`kills ${name} for memory and the host survives`, async function () {
      // Only memory may end these cells: on a loaded machine filling the heap can take longer than
      // the harness's 1.5 s time limit, so the time limit here is far past the test's own time-out.
      this.timeout(120_000);
      const s = await h.open({ cellTimeoutMs: 600_000 });
      const { value: r, ticks } = await ticksDuring(() => s.runCell(code));
      assert.equal(r.killed, 'memory', `${r.killed}: ${r.error}`);
      assert.match(r.error ?? '', /more memory than allowed.*variables are lost/);
      assert.ok(ticks > 0);
      const next = await s.runCell('1 + 1');
      assert.equal(next.variablesLost, true);
      assert.ok(next.output.endsWith('2'));
      await s.dispose();
    });
  }

  it('bounds an output bomb, keeping head and tail', async () => {
    const s = await h.open({ outputChars: 2000 });
    const r = await s.runCell('for (let i = 0; i < 20000; i++) print(i + ":" + "y".repeat(500)); print("the end"); print("z".repeat(5e6))');
    assert.equal(r.killed, undefined);
    assert.ok(r.output.length < 2100, `output ${r.output.length}`);
    assert.ok(r.output.startsWith('0:yyy'));
    assert.match(r.output, /\.\.\. \[[\d,]+ characters cut\] \.\.\./);
    assert.ok(r.output.endsWith('zzz\n'));
    await s.dispose();
  });

  it('limits sub-calls per cell, counting each batch item, and resets for the next cell', async () => {
    const s = await h.open({ subcallsPerCell: 3 });
    const r = await s.runCell('const got = []\nfor (let i = 0; i < 4; i++) got.push(await llm_query("q" + i))');
    assert.match(r.error ?? '', /llm_query: sub-call limit reached \(3 per cell, 3 used, 1 asked\)/);
    assert.equal((await s.runCell('got.length')).output, '3');
    const b = await s.runCell('await llm_batch(["a", "b", "c", "d"])');
    assert.match(b.error ?? '', /llm_batch: sub-call limit reached \(3 per cell, 0 used, 4 asked\)/);
    assert.equal((await s.runCell('(await llm_batch(["a", "b", "c"])).length')).output, '3');
    await s.dispose();
  });

  it('limits prompt characters per sub-call', async () => {
    const s = await h.open({ promptChars: 100 });
    h.subcalls.calls.length = 0;
    assert.match((await s.runCell('await llm_query("x".repeat(101))')).error ?? '', /prompt of 101 characters is over the limit of 100/);
    assert.match((await s.runCell('await rlm_query("x".repeat(50), "y".repeat(51))')).error ?? '', /rlm_query: prompt of 101 characters/);
    const b = await s.runCell('await llm_batch(["ok", "x".repeat(101)])');
    assert.equal(b.output, '[ "echo:ok", "[llm_batch item 1 failed: llm_batch item 1: prompt of 101 characters is over the limit of 100; send a smaller slice]" ]');
    assert.equal(h.subcalls.calls.length, 1, 'over-long prompts never reach the host');
    assert.match((await s.runCell('await readFile("a/".repeat(40000))')).error ?? '', /RangeError: readFile: path is 80000 characters long; the limit is 65536/);
    await s.dispose();
  });

  it('refuses a flood of un-awaited calls beyond the in-flight cap', async () => {
    // Waiting for readFile counts toward the cell's time: a thousand reads may outlast 1.5 s on a busy machine.
    const s = await h.open({ cellTimeoutMs: 60_000 });
    const r = await s.runCell('const ps = []\nfor (let i = 0; i < 1100; i++) ps.push(readFile("README.md").then(() => "ok", (e) => e.message))\nconst res = await Promise.all(ps);\n[res.filter((x) => x === "ok").length, res[1099]]');
    assert.equal(r.output, '[ 1024, "readFile: 1024 calls are already waiting; await some before starting more" ]');
    await s.dispose();
  });

  it('limits prompts per llm_batch call', async () => {
    const s = await h.open({ batchSize: 3 });
    const r = await s.runCell('await llm_batch(["a", "b", "c", "d"])');
    assert.match(r.error ?? '', /RangeError: llm_batch: prompts: 4 items, the limit is 3 per call/);
    await s.dispose();
  });

  it('limits the characters of one llm_batch call, in the child before anything is sent', async () => {
    const s = await h.open({ batchChars: 10, promptChars: 6 });
    h.subcalls.calls.length = 0;
    const r = await s.runCell('await llm_batch(["aaaaaa", "bbbbbb"])');
    assert.match(r.error ?? '', /RangeError: llm_batch: prompts of 12 characters in all are over the limit of 10 per call \(batchChars\)/);
    assert.equal(h.subcalls.calls.length, 0);
    // An item the child already refused on its own is not sent, so it does not count.
    const ok = await s.runCell('await llm_batch(["aaaaaa", "x".repeat(7)])');
    assert.match(ok.output, /^\[ "echo:aaaaaa", "\[llm_batch item 1 failed: .*over the limit of 6/);
    await s.dispose();
  });

  it("refuses the reviewer's 80 MB llm_batch without it reaching the host", async () => {
    const s = await h.open();
    h.subcalls.calls.length = 0;
    global.gc?.();
    const base = process.memoryUsage().heapUsed;
    let peak = base;
    const { value: r } = await ticksDuring(async () => {
      const iv = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 1);
      try {
        return await s.runCell('const p = "a".repeat(399000); const ps = []; for (let i = 0; i < 5; i++) ps.push(llm_batch(Array(200).fill(p)).then(() => "sent", (e) => e.message)); (await Promise.all(ps))[4]');
      } finally {
        clearInterval(iv);
      }
    });
    assert.match(r.output, /llm_batch: prompts of 79800000 characters in all are over the limit of 8000000 per call/);
    assert.equal(h.subcalls.calls.length, 0);
    assert.ok(peak - base < 100e6, `host heap grew by ${Math.round((peak - base) / 1e6)} MB`);
    await s.dispose();
  });

  it('checks the llm_batch character limit again on the host', async () => {
    const calls = new CellCalls({ workspace: h.workspace, subcalls: h.subcalls }, { ...DEFAULT_SANDBOX_LIMITS, batchChars: 10 });
    h.subcalls.calls.length = 0;
    const reply = await calls.handle('llm_batch', [['aaaaaa', 'bbbbbb'], {}]);
    assert.deepEqual(reply, { ok: false, message: 'llm_batch: prompts of 12 characters in all are over the limit of 10 per call (batchChars); split the batch across calls' });
    assert.equal(h.subcalls.calls.length, 0);
    calls.close();
  });

  it('kills a process that keeps running after its cell ended', async () => {
    const s = await h.open();
    const r = await s.runCell('(async () => { for (let i = 0; i < 100; i++) await null; for (;;) {} })(); "returned"');
    assert.equal(r.killed, 'cpu');
    assert.equal(r.output, 'returned');
    assert.match(r.error ?? '', /kept running after the cell ended/);
    assert.equal((await s.runCell('1')).variablesLost, true);
    await s.dispose();
  });

  it('a sandbox spinning in a cell dies by itself when its host dies', async function () {
    if (process.platform === 'win32') this.skip();
    // A throwaway host: forks the sandbox, starts an endless cell, reports the pid, then is killed.
    const host = `
      const { fork } = require('node:child_process');
      const c = fork(${JSON.stringify(SANDBOX_SCRIPT)}, [], { env: {}, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
      c.on('message', (m) => {
        if (m.t !== 'ready') return;
        c.send({ t: 'open', contextJson: '{}', limits: ${JSON.stringify({ ...h.pool.limits })} });
        c.send({ t: 'cell', id: 1, index: 1, code: 'while (true) {}' });
        setTimeout(() => { process.stdout.write(String(c.pid)); process.kill(process.pid, 'SIGKILL'); }, 200);
      });`;
    const out = await new Promise<string>((resolve) => {
      const p = spawn(process.execPath, ['-e', host], { stdio: ['ignore', 'pipe', 'ignore'] });
      let text = '';
      p.stdout.on('data', (d) => (text += d));
      p.on('exit', () => resolve(text));
    });
    const pid = Number(out);
    assert.ok(pid > 0);
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(alive(), false, 'the orphaned sandbox killed itself');
  });

  it('stops a cell when its signal aborts', async () => {
    const s = await h.open();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const r = await s.runCell('while (true) {}', ac.signal);
    assert.equal(r.killed, 'cancelled');
    await s.dispose();
  });
});
