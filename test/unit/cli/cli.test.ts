import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeServer, type FakeScript, type FakeServer } from '../../fakeServer/server';
import { API_KEY, DOTENV_SECRET, js, makeFixtureRepo } from '../rlm/harness';
import { rlm } from './runCli';

describe('rlm ask (the CLI as a process)', function () {
  this.timeout(60_000);
  let server: FakeServer | undefined;
  let root: string;
  beforeEach(() => {
    root = makeFixtureRepo();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(root, { recursive: true, force: true });
  });
  const start = async (script: FakeScript) => (server = await startFakeServer({ apiKey: API_KEY, ...script }));
  const base = (s: FakeServer) => ['ask', '--root', root, '--base-url', s.url, '--model', 'root-model', '--sub-model', 'sub-model'];

  it('prints the answer on stdout and exits 0; progress goes to stderr', async () => {
    const s = await start({ models: { 'root-model': { turns: [js("const h = await grep('function login')\nFINAL(h[0].path + ':' + h[0].line)")] } } });
    const r = await rlm([...base(s), 'Where is login?'], { env: { OPENAI_API_KEY: API_KEY } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'src/auth.ts:2\n');
    assert.match(r.stderr, /turn 1\/30/);
    assert.match(r.stderr, /answered: 1 turns/);
  });

  it('prints a line when a sub-call batch starts and ends, and a heartbeat while it runs', async () => {
    const s = await start({
      models: {
        'root-model': { turns: [js("const r = await llm_batch(['a', 'b', 'c'])\nFINAL(r.join(','))")] },
        'sub-model': { latencyMs: 1500, rule: { fallback: 'ok' } },
      },
    });
    const r = await rlm([...base(s), 'Batch it'], { env: { OPENAI_API_KEY: API_KEY, RLM_PROGRESS_INTERVAL_MS: '100' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^ {2}llm_batch: 3 sub-calls started$/m);
    assert.match(r.stderr, /^ {2}… [0-3] of 3 sub-calls done, \d+ s$/m);
    assert.match(r.stderr, /^ {2}llm_batch: 3 sub-calls done \(3 ok, 0 failed\), [\d,]+ tokens, [\d.]+ s$/m);
    const lines = r.stderr.split('\n');
    const started = lines.findIndex((l) => l.includes('sub-calls started'));
    const beat = lines.findIndex((l) => l.includes('… '));
    const ended = lines.findIndex((l) => l.includes('sub-calls done ('));
    assert.ok(started < beat && beat < ended, r.stderr);
  });

  it('outline and references work from the bundle (grammars loaded from dist/tree-sitter)', async () => {
    const code = [
      "const o = await outline('src/auth.ts');",
      "const r = await references('checkPassword');",
      "FINAL(o.map((s) => s.name + ':' + s.start + '-' + s.end).join(',') + ' | ' + r.map((x) => x.line + ' ' + (x.enclosing ?? '-')).join(','))",
    ].join('\n');
    const s = await start({ models: { 'root-model': { turns: [js(code)] } } });
    const r = await rlm([...base(s), 'Where is login?'], { env: { OPENAI_API_KEY: API_KEY } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'login:2-4,checkPassword:6-8 | 3 login,6 checkPassword\n', r.stderr);
  });

  it('prints the answer as written and lists references still unverified after the fix-up turn on stderr', async () => {
    const s = await start({ models: { 'root-model': { turns: [js("FINAL('See src/auth.ts:2 and src/gone.ts:4.')"), js("FINAL('See src/auth.ts:2 and src/gone.ts:5.')")] } } });
    const r = await rlm([...base(s), '--quiet', 'Where is login?'], { env: { OPENAI_API_KEY: API_KEY } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'See src/auth.ts:2 and src/gone.ts:5.\n');
    assert.equal(r.stderr, 'Unverified references (no such file or line in the workspace):\n  src/gone.ts:5 (no such file in the workspace)\n');
    assert.equal(s.requests.length, 2);
  });

  it('--json prints one object with answer, status, usage and cost; --trace writes JSONL without the key', async () => {
    const s = await start({ models: { 'root-model': { turns: [js("FINAL(String(await llm_query('hi')))")] } }, rule: { fallback: 'sub reply' } });
    const dir = mkdtempSync(join(tmpdir(), 'rlm-cli-'));
    const trace = join(dir, 't.jsonl');
    const r = await rlm([...base(s), '--api-key', API_KEY, '--json', '--trace', trace, '--price', 'root-model=1,2', '--price', 'sub-model=1,2', 'q']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out).sort(), ['answer', 'cost', 'iterations', 'ms', 'reason', 'runId', 'saved', 'status', 'subcalls', 'unverifiedRefs', 'usage'].sort());
    assert.equal(out.answer, 'sub reply');
    assert.equal(out.status, 'answered');
    assert.equal(out.subcalls, 1);
    assert.ok(out.cost > 0);
    assert.equal(out.usage['sub-model'].calls, 1);
    const text = readFileSync(trace, 'utf8');
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines[0].type, 'run.start');
    assert.equal(lines.at(-1).type, 'run.end');
    assert.ok(!text.includes(API_KEY));
    assert.ok(!r.stderr.includes(API_KEY) && !r.stdout.includes(API_KEY));
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 1 with a one-line reason for a bad key, naming the cause but not the key', async () => {
    const s = await start({ models: { 'root-model': { turns: [js("FINAL('x')")] } } });
    const r = await rlm([...base(s), '--api-key', 'sk-wrong-key-123456789', 'q']);
    assert.equal(r.code, 1);
    const last = r.stderr.trim().split('\n').at(-1)!;
    assert.match(last, /^rlm: failed: .*key/i);
    assert.ok(!r.stderr.includes('sk-wrong-key-123456789'));
  });

  it('exits 1 for an unknown model and for an unreachable URL', async () => {
    const s = await start({ strictModels: true, models: { other: {} } });
    const unknown = await rlm([...base(s), '--api-key', API_KEY, 'q']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr.trim().split('\n').at(-1)!, /model/i);
    const closed = await startFakeServer({});
    const url = closed.url;
    await closed.close();
    const unreachable = await rlm(['ask', '--root', root, '--base-url', url, '--model', 'm', 'q']);
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr.trim().split('\n').at(-1)!, /^rlm: failed: .*127\.0\.0\.1/);
  });

  it('exits 3 when a budget is exceeded', async () => {
    const s = await start({ models: { 'root-model': { turns: [js("print(await llm_batch(['a','b','c']))"), js("FINAL('x')")] } } });
    const r = await rlm([...base(s), '--api-key', API_KEY, '--max-subcalls', '1', 'q']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr.trim().split('\n').at(-1)!, /^rlm: budget: Sub-call budget of 1/);
  });

  it('exits 130 and says cancelled on Ctrl-C (SIGINT) mid-run', async () => {
    const s = await start({ models: { 'root-model': { turns: [{ text: js("FINAL('late')"), latencyMs: 30_000 }] } } });
    let sent = false;
    const r = await rlm([...base(s), '--api-key', API_KEY, 'q'], {
      onStderr: (text, child) => {
        if (!sent && text.includes('turn 1/30')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /cancelled/i);
  });

  it('never sends a .env secret to the model', async () => {
    const s = await start({
      models: { 'root-model': { turns: [js("let t; try { t = await readFile('.env') } catch (e) { t = 'refused: ' + e.message }\nFINAL(t)")] } },
    });
    const r = await rlm([...base(s), '--api-key', API_KEY, 'q']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^refused: /);
    assert.ok(!JSON.stringify(s.requests.map((x) => x.body)).includes(DOTENV_SECRET));
  });

  it('masks the API key and tokens inside workspace files in the answer and the sub-model prompt (--no-mask-secrets shows them)', async () => {
    const gh = 'ghp_' + 'a1B2c3D4e5'.repeat(3) + 'a1B2c3';
    writeFileSync(join(root, 'src', 'settings.ts'), `export const key = '${API_KEY}';\nexport const gh = '${gh}';\n`);
    const turns = [js("const t = await readFile('src/settings.ts')\nawait llm_query('summarise: ' + t)\nFINAL(t)")];
    const s = await start({ models: { 'root-model': { turns } }, rule: { fallback: 'ok' } });
    const r = await rlm([...base(s), '--api-key', API_KEY, 'q']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "export const key = '[secret masked: api-key]';\nexport const gh = '[secret masked: github]';\n\n");
    const bodies = JSON.stringify(s.requests.map((x) => x.body));
    assert.match(bodies, /summarise: export const key = '\[secret masked: api-key\]'/);
    assert.ok(!bodies.includes(API_KEY) && !bodies.includes(gh), bodies);
    await s.close();
    const s2 = await start({ models: { 'root-model': { turns } }, rule: { fallback: 'ok' } });
    const trusted = await rlm([...base(s2), '--api-key', API_KEY, '--no-mask-secrets', 'q']);
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.ok(trusted.stdout.includes(gh), trusted.stdout);
  });

  it('exits 2 with usage for bad arguments', async () => {
    const r = await rlm(['ask', '--max-depth', '9', 'q']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--max-depth must be a whole number from 1 to 3/);
  });
  // Characters that drive a terminal or hide text: ESC (a CSI that clears the screen), BEL, the C1
  // CSI, RLO, a zero-width space and Unicode tag characters ("ASCII smuggling").
  const HOSTILE = 'x\u001b[2J\u0007\u009b31m\u202eevil\u200bhidden\u{E0041}\u{E0042}';
  const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]|\udb40[\udc00-\udc7f]/;

  it('escapes control, bidi, zero-width and tag characters of an endpoint error in the "rlm: failed:" line', async () => {
    const s = await start({ faults: [{ request: 0, fault: 'bad-request', message: `Bad thing ${HOSTILE}` }], models: { 'root-model': {} } });
    const r = await rlm([...base(s), '--api-key', API_KEY, 'q']);
    assert.equal(r.code, 1, r.stderr);
    const last = r.stderr.trim().split('\n').at(-1)!;
    assert.match(last, /^rlm: failed: .*Bad thing x\\u001b\[2J\\u0007\\u009b31m\\u202eevil\\u200bhidden\\udb40\\udc41\\udb40\\udc42/);
    assert.doesNotMatch(r.stderr, RAW);
  });

  it('escapes the answer on stdout, and --json stays lossless JSON', async () => {
    const s = await start({ models: { 'root-model': { turns: [js(`FINAL(${JSON.stringify(HOSTILE)})`), js(`FINAL(${JSON.stringify(HOSTILE)})`)] } } });
    const r = await rlm([...base(s), '--api-key', API_KEY, 'q']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, RAW);
    assert.match(r.stdout, /evil\\u200bhidden\\udb40\\udc41/);
    const j = await rlm([...base(s), '--api-key', API_KEY, '--json', 'q']);
    assert.equal(j.code, 0, j.stderr);
    assert.doesNotMatch(j.stdout + j.stderr, RAW);
    // The sandbox already escapes controls and bidi characters of a FINAL value; the rest survive JSON as they were.
    assert.equal(JSON.parse(j.stdout).answer, 'x\\u001b[2J\\u0007\\u009b31m\\u202eevil\u200bhidden\u{E0041}\u{E0042}');
  });

  it('refuses a port the runtime will not connect to at once, naming the port (no retries)', async () => {
    const r = await rlm(['ask', '--root', root, '--base-url', 'http://127.0.0.1:9/v1', '--model', 'm', 'q']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--base-url uses port 9, which Node's fetch refuses .*another port/);
    assert.doesNotMatch(r.stderr, /network error|scanning/);
  });
  it('refuses a cost cap with an unpriced model at once (exit 2), naming the model and --price', async () => {
    const s = await start({ models: { 'root-model': { turns: [js("FINAL(await llm_query('hi'))")] } } });
    const r = await rlm([...base(s), '--api-key', API_KEY, '--max-cost', '0.002', '--price', 'root-model=1,1', 'q']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /Model "sub-model" has no price, so the cost cap of \$0\.002 cannot be enforced.*--price sub-model=IN,OUT/);
    assert.equal(s.stats().chatRequests, 0);
  });

  it('--max-model-requests bounds every request the endpoint sees', async () => {
    const s = await start({ models: { 'root-model': { rule: () => js("print((await llm_batch(['a','b','c'])).length)") } } });
    const r = await rlm([...base(s), '--api-key', API_KEY, '--max-model-requests', '6', 'q']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr.trim().split('\n').at(-1)!, /^rlm: budget: Model-request budget of 6 used up/);
    assert.ok(s.stats().chatRequests <= 6, `${s.stats().chatRequests} requests`);
  });
});
