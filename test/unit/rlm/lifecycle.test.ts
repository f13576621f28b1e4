/** A run's life belongs to the core: its id exists before its first event, and it always ends with
 *  one run.end, last, whatever failed (the scan, the sandbox, a model call after a child run ended).
 *  A host that records what the core sends (HistoryStore.record) is never left with an open run. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RlmError } from '../../../src/core/errors';
import { OpenAIChatModel } from '../../../src/core/llm/openaiModel';
import { Run } from '../../../src/core/rlm/run';
import type { TraceEvent } from '../../../src/core/trace/types';
import { HistoryStore } from '../../../src/vscode/history/historyStore';
import { startFakeServer, type FakeServer } from '../../fakeServer/server';
import { harness, js, type Harness } from './harness';

const ends = (events: TraceEvent[]) => events.filter((e) => e.type === 'run.end');

describe('a run\'s life', () => {
  let dir: string;
  let history: HistoryStore;
  let h: Harness | undefined;
  let server: FakeServer | undefined;
  const record = (runId: string, e: TraceEvent) => history.record(runId, e, ['file:///ws']);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-life-'));
    history = new HistoryStore(dir, () => undefined);
  });

  afterEach(async () => {
    await h?.close();
    await server?.close();
    h = server = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a child run\'s end followed by an engine failure leaves a closed trajectory with the failure recorded', async () => {
    const isChild = (messages: { role: string; content: string }[]) => messages.some((m) => m.role === 'user' && m.content.includes('CHILDQ'));
    h = await harness({
      models: {
        'root-model': { rule: (req) => (isChild(req.messages) ? js("FINAL('child ok')") : js("print(await rlm_query('CHILDQ'))")) },
      },
      // root-model calls: 0 = the run's first turn, 1 = the child's turn, 2 = the run's second turn.
      faults: [{ fault: 'bad-request', model: 'root-model', call: 2 }],
    });
    let runId = '';
    const end = await h.run('q', { budgets: { maxDepth: 2 } }, (id, e) => {
      runId = id;
      record(id, e);
    });
    await history.flush();

    const childEnd = h.events.find((e) => e.type === 'child.end');
    assert.ok(childEnd && childEnd.type === 'child.end' && childEnd.status === 'answered', 'the child run ended with its own event');
    assert.equal(end.status, 'failed');
    assert.deepEqual(ends(h.events), [end], 'one run.end, the top run\'s');
    assert.equal(h.events.at(-1), end, 'and it is the last event');

    const [entry] = await history.list();
    assert.equal(entry.runId, runId);
    assert.equal(entry.status, 'failed', 'closed, not interrupted');
    const stored = (await history.readTrajectory(runId)).events;
    const last = stored.at(-1)!;
    assert.ok(last.type === 'run.end' && last.status === 'failed' && /400|rejected/i.test(last.reason ?? ''), JSON.stringify(last));
    assert.ok(stored.some((e) => e.type === 'child.end'));
    assert.equal(fs.existsSync(path.join(history.runsDir, `${runId}.live`)), false, 'no longer live');
  });

  async function lonelyRun(workspace: () => Promise<never>, sandbox?: () => Promise<never>) {
    server = await startFakeServer({});
    const model = new OpenAIChatModel({ baseURL: server.url, apiKey: 'k', model: 'm' });
    const events: TraceEvent[] = [];
    const run = new Run(
      { question: 'q', workspace, rootModel: model, subModel: model, onEvent: (e) => {
        events.push(e);
        record(run.id, e);
      } },
      { sandbox: sandbox ?? (() => Promise.reject(new Error('not reached'))) },
    );
    const idBeforeStart = run.id;
    const end = await run.start();
    await history.flush();
    assert.equal(events[0].type === 'run.start' && events[0].runId, idBeforeStart, 'the id was known before the first event');
    assert.deepEqual(events.map((e) => e.type), ['run.start', 'run.end']);
    assert.equal(events[1], end);
    assert.equal(events[1].parentId, events[0].id);
    assert.equal((await history.list())[0].status, end.status);
    return end;
  }

  it('ends with run.end when the workspace scan fails', async () => {
    const end = await lonelyRun(() => Promise.reject(new RlmError('Cannot read the workspace: gone.', 'scan')));
    assert.equal(end.status, 'failed');
    assert.equal(end.reason, 'Cannot read the workspace: gone.');
  });

  it('ends with run.end when the sandbox cannot start, and keeps a host error\'s text out of the trace', async () => {
    const workspace = { context: { root: 'ws', totals: { files: 0, bytes: 0 } } } as never;
    const end = await lonelyRun(() => Promise.resolve(workspace), () => Promise.reject(new Error('spawn /home/someone/secret-path ENOENT')));
    assert.equal(end.status, 'failed');
    assert.equal(end.reason, 'Internal error in the run.');
  });

  it('ends as cancelled when cancelled during the scan', async () => {
    server = await startFakeServer({});
    const model = new OpenAIChatModel({ baseURL: server.url, apiKey: 'k', model: 'm' });
    const abort = new AbortController();
    const events: TraceEvent[] = [];
    const run = new Run(
      {
        question: 'q',
        rootModel: model,
        subModel: model,
        signal: abort.signal,
        onEvent: (e) => events.push(e),
        workspace: (signal) => new Promise((_, reject) => {
          signal.addEventListener('abort', () => reject(new RlmError('workspace scan cancelled', 'cancelled')));
          abort.abort();
        }),
      },
      { sandbox: () => Promise.reject(new Error('not reached')) },
    );
    const end = await run.start();
    assert.equal(end.status, 'cancelled');
    assert.deepEqual(events.map((e) => e.type), ['run.start', 'run.end']);
  });
});
