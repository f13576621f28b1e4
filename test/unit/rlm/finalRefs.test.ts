import { strict as assert } from 'node:assert';
import { progressLine } from '../../../src/cli/progress';
import type { CellOutputEvent } from '../../../src/core/trace/types';
import { harness, js, rootRequests, type Harness } from './harness';

// The fixture repository (harness.ts): src/auth.ts has 8 lines; src/db.ts, src/util/strings.ts.
describe("a FINAL answer's references are checked against the workspace", function () {
  this.timeout(60_000);
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });
  const finals = () => h!.events.filter((e): e is CellOutputEvent => e.type === 'cell.output' && e.final === true);

  it('gives one turn to fix references that do not resolve, and the fixed answer goes out', async () => {
    h = await harness({
      models: {
        'root-model': {
          turns: [
            js("FINAL('Login: `src/auth.ts:99`, saved by src/store/db.ts:1; `res.json()` is not a file.')"),
            js("FINAL('Login: `src/auth.ts:2`, saved by `db.ts:2`; `res.json()` is not a file.')"),
          ],
        },
      },
    });
    const r = await h.run('Where is login?');
    assert.equal(r.status, 'answered', r.reason);
    assert.match(r.answer!, /src\/auth\.ts:2/);
    assert.equal(r.unverifiedRefs, undefined);
    assert.equal(r.iterations, 2);
    // Exactly two requests reached the endpoint: the first answer and the fix-up turn.
    const requests = rootRequests(h.server);
    assert.equal(requests.length, 2);
    const fix = requests[1].at(-1)!.content;
    assert.match(fix, /^\[turn 1\/30\] Your answer was not delivered yet: these 2 references do not resolve/);
    assert.match(fix, /- src\/auth\.ts:99 \(src\/auth\.ts has 8 lines\)/);
    assert.match(fix, /- src\/store\/db\.ts:1 \(no such file in the workspace\)/);
    assert.doesNotMatch(fix, /res\.json/);
    // The trace records the check and the extra turn.
    assert.deepEqual(finals().map((e) => [e.unverifiedRefs?.length, e.refFixUp]), [[2, true], [undefined, undefined]]);
    assert.deepEqual(finals().map(progressLine), ['  final answer: 2 references do not resolve; one turn to fix them', '  final answer set']);
  });

  it('gives the fix-up turn once: references still wrong are reported, not retried', async () => {
    h = await harness({
      models: { 'root-model': { turns: [js("FINAL('see src/nope.ts:3')"), js("FINAL('see src/nope.ts:4')"), js("FINAL('never asked')")] } },
    });
    const r = await h.run('q');
    assert.equal(r.status, 'answered');
    assert.equal(r.answer, 'see src/nope.ts:4');
    assert.deepEqual(r.unverifiedRefs, ['src/nope.ts:4 (no such file in the workspace)']);
    assert.equal(rootRequests(h.server).length, 2);
  });

  it('gives no fix-up turn on the last turn, nor when the request budget is used up', async () => {
    h = await harness({ models: { 'root-model': { turns: [js("FINAL('see src/nope.ts')"), js("FINAL('x')")] } } });
    const last = await h.run('q', { budgets: { maxIterations: 1 } });
    assert.equal(last.status, 'answered');
    assert.deepEqual(last.unverifiedRefs, ['src/nope.ts (no such file in the workspace)']);
    assert.equal(rootRequests(h.server).length, 1);
    await h.close();

    h = await harness({ models: { 'root-model': { turns: [js("FINAL('see src/nope.ts')"), js("FINAL('x')")] } } });
    const broke = await h.run('q', { budgets: { maxModelRequests: 1 } });
    assert.equal(broke.status, 'answered');
    assert.equal(broke.answer, 'see src/nope.ts');
    assert.equal(rootRequests(h.server).length, 1);
  });

  it('accepts an answer whose references all resolve (a path without its folder names one file) at once', async () => {
    h = await harness({ models: { 'root-model': { turns: [js("FINAL('`auth.ts:2-3` and `src/db.ts`; `config.ts` is a name')")] } } });
    const r = await h.run('q');
    assert.equal(r.status, 'answered');
    assert.equal(r.unverifiedRefs, undefined);
    assert.equal(rootRequests(h.server).length, 1);
  });

  it('an answer set with answer.ready gets the fix-up turn too, and the next cell does not resend the old answer', async () => {
    h = await harness({
      models: {
        'root-model': {
          turns: [js("answer.content = 'see src/nope.ts:1'; answer.ready = true"), js("print('checking')"), js("FINAL('see src/auth.ts:1')")],
        },
      },
    });
    const r = await h.run('q');
    assert.equal(r.answer, 'see src/auth.ts:1');
    assert.equal(rootRequests(h.server).length, 3);
  });
});
