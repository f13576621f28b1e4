/** The history store shared by several windows: liveness on disk, append-only delete and clear.
 *  Two stores on one folder stand for two windows; a real child process stands for the other
 *  window's extension host. */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunStartEvent } from '../../../src/core/trace/types';
import { HistoryStore } from '../../../src/vscode/history/historyStore';

function start(runId: string, ts: number): RunStartEvent {
  return { type: 'run.start', id: `${runId}-s`, ts, runId, question: `Q ${runId}`, depth: 1, rootModel: 'm', subModel: 's', workspace: { root: 'ws', files: 1, bytes: 1 } };
}

function hostProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve(child));
    child.once('error', reject);
  });
}

describe('HistoryStore across windows', () => {
  let dir: string;
  let hostA: ChildProcess;
  let a: HistoryStore;
  let b: HistoryStore;
  const warnings: string[] = [];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-history-'));
    hostA = await hostProcess();
    a = new HistoryStore(dir, (m) => warnings.push(m), hostA.pid);
    b = new HistoryStore(dir, (m) => warnings.push(m));
  });

  afterEach(() => {
    hostA.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("shows another window's live run as running, and refuses to delete it", async () => {
    a.beginRun(start('run-a', 1000));
    a.appendEvent('run-a', start('run-a', 1000));
    await a.flush();
    const [entry] = await b.list();
    assert.equal(entry.runId, 'run-a');
    assert.equal(entry.status, 'running');
    assert.equal(await b.isLive('run-a'), true);
    assert.equal(b.isLiveHere('run-a'), false);
    assert.equal(await b.delete('run-a'), false);
    assert.ok(fs.existsSync(b.trajectoryPath('run-a')), 'the trajectory stays');

    await a.endRun('run-a', 'answered', 0.5, 10);
    assert.equal((await b.list())[0].status, 'answered');
    assert.ok(!fs.existsSync(path.join(dir, 'runs', 'run-a.live')), 'the live marker is removed at the end');
    assert.equal(await b.delete('run-a'), true);
    assert.deepEqual(await b.list(), []);
  });

  it('shows a run whose host process died as interrupted', async () => {
    a.beginRun(start('run-cut', 1000));
    await a.flush();
    const exited = new Promise((r) => hostA.once('exit', r));
    hostA.kill('SIGKILL');
    await exited;
    const [entry] = await b.list();
    assert.equal(entry.status, 'interrupted');
    assert.equal(await b.delete('run-cut'), true);
  });

  it("clear appends a line: keeps live runs and their trajectories, loses no line another window appends", async () => {
    b.beginRun(start('old', 500));
    await b.endRun('old', 'answered', 0, 1);
    a.beginRun(start('run-live', 1000));
    a.appendEvent('run-live', start('run-live', 1000));
    await a.flush();
    const index = path.join(dir, 'index.jsonl');
    const before = fs.readFileSync(index, 'utf8');

    await b.clear();
    assert.ok(fs.readFileSync(index, 'utf8').startsWith(before), 'the index is only appended to');
    assert.deepEqual((await b.list()).map((e) => [e.runId, e.status]), [['run-live', 'running']]);
    assert.ok(fs.existsSync(b.trajectoryPath('run-live')));
    assert.ok(!fs.existsSync(b.trajectoryPath('old')));

    // The other window goes on appending: its run ends, a new one starts and ends.
    await a.endRun('run-live', 'answered', 1, 5);
    a.beginRun(start('run-new', 2000));
    await a.endRun('run-new', 'cancelled', 0, 1);
    assert.deepEqual((await b.list()).map((e) => [e.runId, e.status]), [['run-new', 'cancelled'], ['run-live', 'answered']]);
  });

  it("records each run's root and sub-call tokens at its end, for the cost estimate (newest first; cancelled runs left out)", async () => {
    const end = (runId: string, ts: number, status: 'answered' | 'cancelled', rootIn: number) =>
      ({ type: 'run.end', id: `${runId}-e`, parentId: `${runId}-s`, ts, status, iterations: 1, subcalls: 1, costUsd: 0, ms: 5,
        usage: { m: { promptTokens: rootIn, completionTokens: 1, calls: 1 }, s: { promptTokens: 10, completionTokens: 2, calls: 1 } } }) as const;
    for (const [id, ts, status, rootIn] of [['r1', 1000, 'answered', 100], ['r2', 2000, 'cancelled', 200], ['r3', 3000, 'answered', 300]] as const) {
      b.record(id, start(id, ts));
      b.record(id, end(id, ts + 1, status, rootIn));
    }
    await b.flush();
    assert.deepEqual(await a.pastTokens(), [
      { root: { promptTokens: 300, completionTokens: 1 }, sub: { promptTokens: 10, completionTokens: 2 } },
      { root: { promptTokens: 100, completionTokens: 1 }, sub: { promptTokens: 10, completionTokens: 2 } },
    ]);
  });
});
