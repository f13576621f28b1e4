import * as assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TraceEmitter } from '../../../src/core/trace/emitter';
import { TraceEventFactory } from '../../../src/core/trace/ids';
import { parseTrajectory, readTrajectory, TrajectoryWriter } from '../../../src/core/trace/trajectory';
import type { TraceEvent } from '../../../src/core/trace/types';
import { sampleRun } from './fixtures';

const SECRET = 'sk-test-SECRET-0123456789abcdef';

describe('TrajectoryWriter and readTrajectory', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rlm-trace-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one event per line and reads them back', async () => {
    const file = join(dir, 'nested', 'run.jsonl');
    const w = await TrajectoryWriter.open(file);
    // As a run writes it: every event has left through the run's emitter, which redacts once.
    const emitter = new TraceEmitter([SECRET]);
    emitter.on((e) => w.append(e));
    const events = sampleRun(SECRET);
    for (const e of events) emitter.emit(e);
    await w.close();
    const text = readFileSync(file, 'utf8');
    assert.equal(text.split('\n').filter(Boolean).length, events.length);
    assert.equal(w.bytes, Buffer.byteLength(text));
    const back = await readTrajectory(file);
    assert.deepEqual(back.warnings, []);
    assert.deepEqual(back.events.map((e) => e.id), events.map((e) => e.id));
    assert.ok(!text.includes(SECRET), 'secret in the trajectory');
    assert.ok(!text.includes('0123456789abcdef'), 'part of the secret in the trajectory');
  });

  it('keeps a multi-line text on one line', async () => {
    const file = join(dir, 'run.jsonl');
    const w = await TrajectoryWriter.open(file);
    const [run] = sampleRun();
    w.append({ ...run, question: 'line one\nline two\r\n\u2028three' } as TraceEvent);
    await w.close();
    assert.equal(readFileSync(file, 'utf8').split('\n').length, 2);
    assert.equal((await readTrajectory(file)).events[0].type, 'run.start');
  });

  it('grows linearly: a line holds one event, never the conversation so far', async () => {
    const file = join(dir, 'run.jsonl');
    const w = await TrajectoryWriter.open(file);
    const f = new TraceEventFactory();
    const sizes: number[] = [];
    for (let i = 0; i < 300; i++) {
      f.make('iteration.start', 'r', { iteration: i, maxIterations: 300 });
      w.append(f.make('model.response', 'r', { model: 'm', text: 'x'.repeat(100), usage: { promptTokens: 1, completionTokens: 1 }, costUsd: null, ms: 1 }));
      if (i === 99 || i === 299) sizes.push(w.bytes);
    }
    await w.close();
    assert.ok(sizes[1] < sizes[0] * 3.2, `300 events: ${sizes[1]} bytes vs 100 events: ${sizes[0]}`);
  });

  it('tolerates a truncated last line (a crash mid-write)', async () => {
    const file = join(dir, 'run.jsonl');
    const w = await TrajectoryWriter.open(file);
    const events = sampleRun();
    for (const e of events.slice(0, 4)) w.append(e);
    await w.close();
    const line = JSON.stringify(events[4]);
    appendFileSync(file, line.slice(0, line.length / 2));
    const back = await readTrajectory(file);
    assert.equal(back.events.length, 4);
    assert.equal(back.warnings.length, 1);
    assert.match(back.warnings[0], /truncated last line/);

    // A new writer on the damaged file starts on a fresh line: only the cut line is lost.
    const again = await TrajectoryWriter.open(file);
    again.append(events[5]);
    await again.close();
    const after = await readTrajectory(file);
    assert.deepEqual(after.events.map((e) => e.id), [...events.slice(0, 4), events[5]].map((e) => e.id));
    assert.equal(after.warnings.length, 1);
    assert.match(after.warnings[0], /damaged line/);
  });

  it('skips garbage and non-events anywhere', () => {
    const [a, b] = sampleRun();
    const text = `${JSON.stringify(a)}\n{oops\n[1,2]\n\n${JSON.stringify(b)}\n`;
    const r = parseTrajectory(text);
    assert.deepEqual(r.events.map((e) => e.id), [a.id, b.id]);
    assert.equal(r.warnings.length, 2);
  });

  it('never throws into the run when the disk fails', async function () {
    if (!existsSync('/dev/full')) this.skip(); // Linux's always-full device
    const w = await TrajectoryWriter.open('/dev/full');
    w.append(sampleRun()[0]);
    assert.match(w.error ?? '', /ENOSPC/);
    w.append(sampleRun()[1]); // ignored, not thrown
    await w.close();
    w.append(sampleRun()[2]); // after close: ignored too
  });
});

describe('TraceEmitter', () => {
  it('hands every listener the same redacted event, and survives a failing listener', () => {
    const emitter = new TraceEmitter([SECRET]);
    const seen: TraceEvent[] = [];
    emitter.on(() => {
      throw new Error('listener bug');
    });
    const off = emitter.on((e) => seen.push(e));
    const events = sampleRun(SECRET);
    for (const e of events) emitter.emit(e);
    off();
    emitter.emit(events[0]);
    assert.equal(seen.length, events.length);
    assert.ok(!JSON.stringify(seen).includes(SECRET));
    assert.ok(JSON.stringify(events).includes(SECRET), 'the caller\'s events are not mutated');
  });
});
