/** The kept REPL of a conversation: one session lent to one run at a time, bound to that run's
 *  sub-call host and SandboxTree (the tree-wide memory limit still counts it), kept between leases. */
import { strict as assert } from 'node:assert';
import { KeptSession } from '../../../src/core/sandbox/keptSession';
import { SandboxTree } from '../../../src/core/sandbox/sandboxTree';
import type { SubcallHost } from '../../../src/core/sandbox/types';
import { makeHarness, type Harness } from './helpers';

const host = (name: string): SubcallHost => ({
  llmQuery: async (prompt) => `${name}: ${prompt}`,
  rlmQuery: async (prompt) => `${name} rlm: ${prompt}`,
});

describe('KeptSession (a conversation\'s REPL)', function () {
  this.timeout(60_000);
  let h: Harness;
  let kept: KeptSession;
  before(async () => (h = await makeHarness()));
  after(async () => h.close());
  beforeEach(() => (kept = new KeptSession(h.pool)));
  afterEach(async () => kept.dispose());

  it('keeps variables between leases; each lease\'s sub-calls go to its own run; one lease at a time', async () => {
    const treeA = new SandboxTree();
    const a = await kept.openSession({ workspace: h.workspace, subcalls: host('run A'), tree: treeA });
    assert.equal(kept.state, 'kept');
    assert.equal((await a.runCell('const v = 5\nawait llm_query("hi")')).output, 'run A: hi');
    await assert.rejects(kept.openSession({ workspace: h.workspace, subcalls: host('run B') }), /in use by another question/);
    await a.dispose();
    await assert.rejects(a.runCell('v'), /closed/, 'a released lease runs nothing');

    const treeB = new SandboxTree();
    const b = await kept.openSession({ workspace: h.workspace, subcalls: host('run B'), tree: treeB });
    assert.equal((await b.runCell('v * 2')).output, '10');
    assert.equal((await b.runCell('await llm_query("again")')).output, 'run B: again');
    // The watchdog samples the process (at least once a second between cells): it reports to run B's tree only.
    const deadline = Date.now() + 20_000;
    while (treeB.totalMb === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(treeB.totalMb > 0, 'the kept REPL counts toward the current run tree');
    assert.equal(treeA.totalMb, 0, 'and no longer toward the earlier run\'s');
    await b.dispose();
    assert.equal(treeB.totalMb, 0, 'released: it left run B\'s tree');
  });

  it('after dispose, no lease is handed out and the process is gone', async () => {
    const a = await kept.openSession({ workspace: h.workspace, subcalls: host('A') });
    await a.runCell('1');
    await kept.dispose();
    assert.equal(kept.state, 'none');
    await assert.rejects(kept.openSession({ workspace: h.workspace, subcalls: host('B') }), /the conversation has ended/);
  });
});
