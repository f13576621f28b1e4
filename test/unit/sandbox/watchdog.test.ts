import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readUsage, Watchdog, watchdogSupported } from '../../../src/core/sandbox/watchdog';

/** The watchdog measures a process from the outside, so it works on one stuck in a loop. */
describe('sandbox watchdog', function () {
  this.timeout(15_000);
  let child: ChildProcess | undefined;
  before(function () {
    if (!watchdogSupported) this.skip();
  });
  afterEach(() => child?.kill('SIGKILL'));

  const spin = (code: string) => spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  /** Starts a watchdog on `pid`; `reason` resolves with what it reports. */
  function watch(pid: number, rssMb: number, cell: boolean): { w: Watchdog; reason: Promise<string> } {
    let w!: Watchdog;
    const reason = new Promise<string>((resolve) => {
      // A low threshold: on a loaded machine a spinning process gets only a share of a core.
      w = new Watchdog(pid, { rssMb, idleCpuMsPerSec: 50, onBreach: resolve });
    });
    w.start(cell);
    return { w, reason };
  }

  it('reads resident memory and CPU time of another process', async () => {
    child = spin('for (;;) {}');
    await new Promise((r) => setTimeout(r, 300));
    const u = await readUsage(child.pid!);
    assert.ok(u && u.rssMb > 5 && u.cpuMs > 0, JSON.stringify(u));
  });

  it('reports memory when resident memory passes the limit', async () => {
    child = spin('const keep = []; for (;;) keep.push(Buffer.alloc(1e7, 1))');
    const { w, reason } = watch(child.pid!, 200, true);
    assert.equal(await reason, 'memory');
    w.stop();
  });

  it('reports cpu when a process between cells keeps computing', async () => {
    child = spin('for (;;) {}');
    const { w, reason } = watch(child.pid!, 10_000, false);
    assert.equal(await reason, 'cpu');
    w.stop();
  });
});
