import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeServer, type FakeScript, type FakeServer } from '../../fakeServer/server';
import { API_KEY, js, makeFixtureRepo } from '../rlm/harness';
import { rlm } from './runCli';

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const chatRequests = (s: FakeServer, model: string) => s.requests.filter((r) => r.index >= 0 && r.model === model).length;

describe('rlm ask: reply cache and --resume (the CLI as a process)', function () {
  this.timeout(120_000);
  let server: FakeServer | undefined;
  let root: string;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    root = makeFixtureRepo();
    dir = mkdtempSync(join(tmpdir(), 'rlm-resume-'));
    env = { OPENAI_API_KEY: API_KEY, XDG_CACHE_HOME: join(dir, 'cache-home') };
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(root, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });
  const start = async (script: FakeScript) => (server = await startFakeServer({ apiKey: API_KEY, rule: { fallback: 'sub reply' }, ...script }));
  const base = (s: FakeServer) => ['ask', '--root', root, '--base-url', s.url, '--model', 'root-model', '--sub-model', 'sub-model', '--price', 'root-model=1,2', '--price', 'sub-model=1,2'];

  const SUMMARISE = [js("const r = await llm_query('summarise: ' + await readFile('src/db.ts'))\nprint(r)"), js('FINAL(r)')];

  it('a re-run of the same question on an unchanged workspace makes no request at all, and says what it saved', async () => {
    const s = await start({ models: { 'root-model': { turns: SUMMARISE } } });
    const first = await rlm([...base(s), 'What is db?'], { env });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, 'sub reply\n');
    assert.equal(s.requests.length, 3);
    const trace = join(dir, 'second.jsonl');
    const second = await rlm([...base(s), '--trace', trace, 'What is db?'], { env });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, 'sub reply\n');
    assert.equal(s.requests.length, 3, 'the second run asked the server');
    assert.match(second.stderr, /answered: 2 turns, 1 sub-calls, \$0\.0000, saved \d+ tokens \/ \$0\.\d+ \(cached replies\)/);
    const events = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const end = events.find((e) => e.type === 'subcall.end');
    assert.equal(end.cached, true);
    assert.ok(end.saved.tokens > 0 && end.saved.costUsd > 0);
    assert.ok(events.filter((e) => e.type === 'model.response').every((e) => e.cached === true));
    assert.ok(events.at(-1).saved.tokens > 0);
  });

  it('a changed workspace asks the root model again but takes unchanged sub-calls from the cache; --no-cache asks everything', async () => {
    const s = await start({ models: { 'root-model': { turns: [...SUMMARISE, ...SUMMARISE, ...SUMMARISE] } } });
    assert.equal((await rlm([...base(s), 'What is db?'], { env })).code, 0);
    writeFileSync(join(root, 'NEW.md'), 'an unrelated new file\n');
    const second = await rlm([...base(s), 'What is db?'], { env });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(chatRequests(s, 'root-model'), 4);
    assert.equal(chatRequests(s, 'sub-model'), 1, 'the sub-call was asked again');
    const third = await rlm([...base(s), '--no-cache', 'What is db?'], { env });
    assert.equal(third.code, 0, third.stderr);
    assert.equal(chatRequests(s, 'root-model'), 6);
    assert.equal(chatRequests(s, 'sub-model'), 2);
  });

  it('never writes the API key into the cache, and `rlm cache clear` empties it', async () => {
    const s = await start({ models: { 'root-model': { turns: [js(`FINAL(await llm_query('key is ${API_KEY}'))`)] } } });
    const r = await rlm([...base(s), `Is ${API_KEY} here?`], { env });
    assert.equal(r.code, 0, r.stderr);
    const cacheDir = join(dir, 'cache-home', 'rlm');
    const files = filesUnder(cacheDir);
    assert.ok(files.some((f) => f.endsWith('.json')), 'no reply was cached');
    for (const f of files) assert.ok(!readFileSync(f, 'utf8').includes(API_KEY), `${f} holds the API key`);
    const cleared = await rlm(['cache', 'clear'], { env });
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.deepEqual(filesUnder(cacheDir), []);
  });

  /** Runs a question until the root model's second request reaches the server, then SIGKILLs the CLI. */
  async function killedRun(s: FakeServer, trace: string, extra: string[] = []): Promise<void> {
    let poll: NodeJS.Timeout | undefined;
    const r = await rlm([...base(s), '--trace', trace, ...extra, 'Keep x'], {
      env,
      onStderr: (_text, child) => {
        poll ??= setInterval(() => {
          if (chatRequests(s, 'root-model') >= 2) {
            clearInterval(poll);
            child.kill('SIGKILL');
          }
        }, 20);
      },
    });
    clearInterval(poll);
    assert.equal(r.code, null, `the run was not killed: ${r.stderr}`);
  }

  const KILLED_SCRIPT: FakeScript['models'] = {
    'root-model': {
      turns: [js("const t = await readFile('src/db.ts')\nconst x = 'kept-' + await llm_query('hi ' + t.length)\nprint(x)"), { text: js("FINAL('never')"), latencyMs: 60_000 }, js('FINAL(x)')],
    },
  };

  for (const cache of [true, false]) {
    it(`a run killed with SIGKILL resumes with --resume: no model request for the recorded part, and the REPL state is back (${cache ? 'replies from the cache' : '--no-cache: replies from the trace'})`, async () => {
      const s = await start({ models: KILLED_SCRIPT });
      const t1 = join(dir, 't1.jsonl');
      const flags = cache ? [] : ['--no-cache'];
      await killedRun(s, t1, flags);
      assert.equal(chatRequests(s, 'sub-model'), 1);
      const t2 = join(dir, 't2.jsonl');
      const r = await rlm([...base(s), ...flags, '--resume', t1, '--trace', t2, '--json'], { env });
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.answer, 'kept-sub reply');
      assert.ok(out.saved.tokens > 0, 'the replayed turn and sub-call saved nothing');
      assert.equal(chatRequests(s, 'sub-model'), 1, 'the recorded sub-call was asked again');
      assert.equal(chatRequests(s, 'root-model'), 3, 'only the turn after the recorded part may reach the root model');
      assert.match(r.stderr, /resuming run \S+: 1 recorded turns replayed/);
      const events = readFileSync(t2, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const oldId = JSON.parse(readFileSync(t1, 'utf8').split('\n')[0]).runId;
      assert.equal(events[0].resumedFrom, oldId);
      assert.notEqual(events[0].runId, oldId);
    });
  }

  it('a resume says which files the recorded cells read have changed, and goes on only with --yes', async () => {
    const s = await start({ models: KILLED_SCRIPT });
    const t1 = join(dir, 't1.jsonl');
    await killedRun(s, t1);
    writeFileSync(join(root, 'src/db.ts'), 'export const db = "changed";\n');
    const refused = await rlm([...base(s), '--resume', t1], { env });
    assert.equal(refused.code, 130, refused.stderr);
    assert.match(refused.stderr, /warning: 1 file\(s\) the recorded cells read changed since the run: src\/db\.ts/);
    assert.match(refused.stderr, /--yes/);
    assert.equal(chatRequests(s, 'root-model'), 2, 'a refused resume asked the model');
    const resumed = await rlm([...base(s), '--resume', t1, '--yes'], { env });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /src\/db\.ts/);
    // The changed file makes a new sub-call prompt: asked live (the cell now sees the new text).
    assert.equal(resumed.stdout, 'kept-sub reply\n');
    assert.equal(chatRequests(s, 'sub-model'), 2);
  });

  it('refuses to resume a run that answered, and a trace that is not one', async () => {
    const s = await start({ models: { 'root-model': { turns: [js("FINAL('done')")] } } });
    const t1 = join(dir, 't1.jsonl');
    assert.equal((await rlm([...base(s), '--trace', t1, 'q'], { env })).code, 0);
    const answered = await rlm([...base(s), '--resume', t1], { env });
    assert.equal(answered.code, 2);
    assert.match(answered.stderr, /ended "answered": only an interrupted, failed or budget-stopped run can be resumed/);
    writeFileSync(join(dir, 'junk.jsonl'), 'not json\n');
    const junk = await rlm([...base(s), '--resume', join(dir, 'junk.jsonl')], { env });
    assert.equal(junk.code, 2);
    assert.match(junk.stderr, /no run/);
    const both = await rlm([...base(s), '--resume', t1, 'a question'], { env });
    assert.equal(both.code, 2);
    assert.match(both.stderr, /leave the question out/);
  });
});
