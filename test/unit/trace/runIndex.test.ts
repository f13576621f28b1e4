import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { entryFromEvents, RunIndex } from '../../../src/core/trace/runIndex';
import { TrajectoryWriter } from '../../../src/core/trace/trajectory';
import type { RunEndEvent, RunStartEvent } from '../../../src/core/trace/types';
import { sampleRun } from './fixtures';

describe('RunIndex', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rlm-index-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('records runs and lists them newest first after a reload', async () => {
    const file = join(dir, 'index.json');
    const index = await RunIndex.load(file);
    assert.deepEqual(index.list(), []);
    assert.deepEqual(index.warnings, [], 'a missing index is not a problem');
    const events = sampleRun();
    const start = events[0] as RunStartEvent;
    index.recordStart(start, 'runs/r1.jsonl');
    assert.equal(index.get('r1')?.status, 'running');
    index.recordEnd('r1', events.at(-1) as RunEndEvent);
    index.upsert({ runId: 'r0', question: 'older', status: 'failed', startedAt: 5, costUsd: null, file: 'runs/r0.jsonl' });
    await index.save();

    const back = await RunIndex.load(file);
    assert.deepEqual(back.list().map((e) => [e.runId, e.status, e.costUsd]), [['r1', 'answered', 0.5], ['r0', 'failed', null]]);
    assert.equal(back.remove('r0'), true);
    assert.equal(back.list().length, 1);
  });

  it('reports a run that started but never ended as interrupted', async () => {
    const file = join(dir, 'index.json');
    const index = await RunIndex.load(file);
    index.recordStart(sampleRun()[0] as RunStartEvent, 'runs/r1.jsonl');
    await index.save(); // the process dies here
    assert.match(readFileSync(file, 'utf8'), /"running"/);
    const back = await RunIndex.load(file);
    assert.equal(back.get('r1')?.status, 'interrupted');
    assert.equal(back.list()[0].status, 'interrupted');
  });

  it('builds entries from trajectories, interrupted when run.end is missing', () => {
    const events = sampleRun();
    assert.equal(entryFromEvents(events, 'a.jsonl')?.status, 'answered');
    const cut = entryFromEvents(events.slice(0, -1), 'a.jsonl');
    assert.equal(cut?.status, 'interrupted', 'the child run.end does not end the top run');
    assert.equal(cut?.costUsd, null);
    assert.equal(entryFromEvents(events.slice(1), 'a.jsonl'), undefined);
  });

  it('survives a damaged index: warning, and rebuilt from the trajectories', async () => {
    const file = join(dir, 'index.json');
    const runs = join(dir, 'runs');
    mkdirSync(runs);
    const events = sampleRun();
    const w = await TrajectoryWriter.open(join(runs, 'r1.jsonl'));
    for (const e of events.slice(0, 5)) w.append(e);
    await w.close();
    writeFileSync(join(runs, 'junk.jsonl'), 'not json\n');
    writeFileSync(file, '{"version":1,"runs":[{"runId":"r1",');

    const index = await RunIndex.load(file, { trajectoryDir: runs });
    assert.ok(index.warnings.some((w) => /damaged/.test(w)), index.warnings.join('; '));
    assert.deepEqual(index.list().map((e) => [e.runId, e.status, e.file]), [['r1', 'interrupted', join('runs', 'r1.jsonl')]]);
    assert.ok(index.warnings.some((w) => /junk\.jsonl/.test(w)));

    const plain = await RunIndex.load(file);
    assert.deepEqual(plain.list(), []);
    assert.equal(plain.warnings.length, 1);
  });

  it('skips damaged entries and entries pointing outside the history folder', async () => {
    const file = join(dir, 'index.json');
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        runs: [
          { runId: 'ok', question: 'q', status: 'answered', startedAt: 1, costUsd: 0.1, file: 'runs/ok.jsonl' },
          { runId: 'bad', question: 'q', status: 'weird', startedAt: 1, costUsd: 0, file: 'x' },
          { runId: 'evil', question: 'q', status: 'answered', startedAt: 1, costUsd: 0, file: '../../etc/passwd' },
          42,
        ],
      }),
    );
    const index = await RunIndex.load(file);
    assert.deepEqual(index.list().map((e) => e.runId), ['ok']);
    assert.equal(index.warnings.length, 3);
  });
});
