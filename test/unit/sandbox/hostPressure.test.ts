import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { SandboxPool } from '../../../src/core/sandbox/pool';
import { SandboxTree } from '../../../src/core/sandbox/sandboxTree';
import type { SandboxLimits, SandboxSession } from '../../../src/core/sandbox/types';
import { NodeFileSource, scanWorkspace, type Workspace } from '../../../src/core/workspace';
import { makeTree, removeTree } from '../workspace/fixture';
import { RecordingSubcalls, SANDBOX_SCRIPT } from './helpers';

/** Issue 7: one cell's flood of host work stays bounded on the host (bytes queued, processes left,
 *  memory of the whole run tree). Outcomes and byte counts only, never durations. */

const MB = 1024 * 1024;

/** Bytes this process has written so far (Linux /proc/self/io): while a cell runs, almost all of
 *  it is replies on the sandbox's IPC channel. */
function bytesWritten(): number {
  return Number(/wchar: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))?.[1]);
}

/** Peak resident memory of this process since the last reset (Linux: VmHWM, reset by clear_refs). */
function peakRssMb(): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) / 1024;
}

/** Child processes of this test process running a search: ripgrep or the JS grep worker. */
function searchProcesses(): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== process.pid) continue;
      if (/(^|\/)rg\0|grepWorker/.test(readFileSync(`/proc/${d}/cmdline`, 'utf8'))) out.push(Number(d));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

async function until(check: () => boolean, ms = 10_000): Promise<boolean> {
  for (let waited = 0; waited < ms && !check(); waited += 50) await new Promise((r) => setTimeout(r, 50));
  return check();
}

describe('host pressure (issue 7)', function () {
  this.timeout(60_000);
  let dir: string;
  let workspace: Workspace;
  let pool: SandboxPool;
  const sessions: SandboxSession[] = [];
  const open = async (limits: Partial<SandboxLimits>, tree?: SandboxTree) => {
    const s = await pool.openSession({ workspace, subcalls: new RecordingSubcalls(), limits, tree });
    sessions.push(s);
    return s;
  };

  before(async () => {
    dir = makeTree({
      'control.txt': '\u0001'.repeat(MB),
      'plain.txt': 'plain text\n'.repeat(1000),
      // Exponential backtracking for irregexp; the lookbehind keeps it off ripgrep.
      'slow.txt': ('a'.repeat(40) + '!\n').repeat(50),
    });
    workspace = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(dir) }], { maxFileBytes: 2 * MB, grepTimeoutMs: 60_000 });
    pool = new SandboxPool({ scriptPath: SANDBOX_SCRIPT });
  });
  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.dispose()));
  });
  after(async () => {
    await pool.dispose();
    removeTree(dir);
  });

  it('sends a file of control characters at its own size, not six times it as JSON escapes', async function () {
    if (process.platform !== 'linux') this.skip();
    const s = await open({});
    await s.runCell('1');
    const before = bytesWritten();
    const r = await s.runCell('(await readFile("control.txt")).length');
    assert.equal(r.output, String(MB));
    const written = bytesWritten() - before;
    assert.ok(written >= MB && written < 1.1 * MB, `the host wrote ${written} bytes`);
  });

  it('never holds more than the reply budget for one sandbox, however many reads a cell fires', async function () {
    if (process.platform !== 'linux') this.skip();
    // Before: every reply was built and queued at once, 40 x 6 MB of JSON in the host's memory.
    const s = await open({ replyQueueMb: 4, cellTimeoutMs: 600_000 });
    await s.runCell('1');
    global.gc?.();
    const base = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) / 1024;
    writeFileSync('/proc/self/clear_refs', '5');
    const r = await s.runCell('(await Promise.all(Array.from({ length: 40 }, () => readFile("control.txt").then((t) => t.length)))).reduce((a, b) => a + b, 0)');
    assert.equal(r.output, String(40 * MB), r.error);
    const growth = peakRssMb() - base;
    assert.ok(growth < 100, `the host's resident memory grew by ${Math.round(growth)} MB`);
    assert.equal((s as unknown as { replies: { held: number } }).replies.held, 0, 'every reservation was released');
  });

  it('counts waiting for readFile toward the cell time limit', async function () {
    // Before: waiting for host calls did not count, and this cell ran until 20 time limits had passed.
    this.timeout(15_000);
    const s = await open({ cellTimeoutMs: 1000 });
    const r = await s.runCell('let n = 0\nfor (;;) { await readFile("plain.txt", { start: n % 900 + 1, end: n % 900 + 2 }); n++ }');
    assert.equal(r.killed, 'timeout');
    assert.match(r.error ?? '', /waiting for readFile and grep does/);
  });

  it('still does not count waiting for sub-calls', async () => {
    const s = await open({ cellTimeoutMs: 1000 });
    const r = await s.runCell('for (let i = 0; i < 10; i++) await llm_query("SLOW " + i); "done"');
    assert.equal(r.output, 'done', r.error);
  });

  it('kills the running grep process when the cell ends, and leaves no search process behind', async function () {
    this.timeout(20_000);
    const s = await open({ cellTimeoutMs: 1000 });
    // A JS-regex grep that would run for its whole 60 s timer, in a loop with ripgrep searches.
    const r = await s.runCell('for (;;) { await grep("first|plain"); await grep("^(a|aa)+(?<!b)$") }');
    assert.equal(r.killed, 'timeout', r.error);
    assert.ok(await until(() => searchProcesses().length === 0, 5000), `search processes left: ${searchProcesses()}`);
  });

  it('drops a read whose cell already ended', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(workspace.readFile('plain.txt', undefined, ac.signal), /readFile cancelled: the cell ended/);
  });

  it('bounds the memory of all sandboxes of a run tree together, stopping the one that grows', async function () {
    this.timeout(40_000);
    const tree = new SandboxTree();
    const limits = { treeRssMb: 320, cellTimeoutMs: 20_000 };
    const holder = await open(limits, tree);
    const grower = await open(limits, tree);
    assert.equal((await holder.runCell('globalThis.keep = new Uint8Array(120 * 1024 * 1024).fill(1); keep.length')).output, String(120 * MB));
    // Each process alone is far under its own limit (rssMb 1024); together they pass the tree's.
    const r = await grower.runCell('globalThis.mine = new Uint8Array(150 * 1024 * 1024).fill(1); for (;;) {}');
    assert.equal(r.killed, 'memory', r.error);
    assert.match(r.error ?? '', /all sandboxes of this run and its child runs together 320 MB/);
    const kept = await holder.runCell('keep.length');
    assert.equal(kept.variablesLost, undefined);
    assert.equal(kept.output, String(120 * MB));
  });
});
