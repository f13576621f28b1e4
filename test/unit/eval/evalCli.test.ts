import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeServer, type FakeServer } from '../../fakeServer/server';
import { API_KEY, makeFixtureRepo } from '../rlm/harness';
import { answering } from './evalHarness';
import { parseDataset } from '../../../src/core/eval/dataset';

const CLI = join(__dirname, '..', '..', '..', 'dist', 'cli.js');

function rlm(args: string[], onStderr?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, OPENAI_API_KEY: API_KEY } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      onStderr?.(stderr, child);
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('rlm eval (the CLI as a process)', function () {
  this.timeout(90_000);
  let server: FakeServer | undefined;
  let dir: string;
  let repo: string;
  let dataset: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rlm-eval-cli-'));
    repo = makeFixtureRepo();
    dataset = join(dir, 'shop.jsonl');
    writeFileSync(
      dataset,
      [
        { id: 'login', repo, question: 'Which file defines login?', choices: ['src/auth.ts', 'src/db.ts'], answer: 'A' },
        { id: 'save', repo, question: 'Which file defines save?', choices: ['src/auth.ts', 'src/db.ts'], answer: 'B' },
      ].map((o) => JSON.stringify(o)).join('\n'),
    );
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
    rmSync(repo, { recursive: true, force: true });
  });
  const items = () => parseDataset(readFileSync(dataset, 'utf8'), dataset);
  const args = (s: FakeServer) => ['eval', '--dataset', dataset, '--base-url', s.url, '--model', 'root-model', '--price', 'root-model=1,2'];

  it('prints one summary line per mode and the report path; writes the report beside the dataset by default', async () => {
    server = await startFakeServer({ apiKey: API_KEY, models: { 'root-model': { rule: answering(items(), (i) => i.answer) } } });
    const r = await rlm([...args(server), '--baseline', 'direct']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^RLM {4}2\/2 correct, 100\.0% \(95% 34\.2%–100\.0%\)/m);
    assert.match(r.stdout, /^direct 2\/2 correct/m);
    assert.match(r.stdout, new RegExp(`report: ${join(dir, 'shop-results', 'report.md').replace(/[.]/g, '\\.')}`));
    assert.match(r.stderr, /\[1\/4\] /);
    assert.ok(existsSync(join(dir, 'shop-results', 'chart.svg')));
    assert.ok(!r.stderr.includes(API_KEY) && !r.stdout.includes(API_KEY));
  });

  it('Ctrl-C stops with exit 130 keeping nothing half-done; the same command then resumes and finishes', async () => {
    server = await startFakeServer({ apiKey: API_KEY, models: { 'root-model': { rule: answering(items(), (i) => i.answer), latencyMs: 60_000 } } });
    let sent = false;
    const stopped = await rlm(args(server), (text, child) => {
      if (!sent && text.includes('to ask')) {
        sent = true;
        setTimeout(() => child.kill('SIGINT'), 300);
      }
    });
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.match(stopped.stderr, /stopping/);
    assert.match(readFileSync(join(dir, 'shop-results', 'report.md'), 'utf8'), /\*\*Partial\*\*: 0 of 2/);
    await server.close();
    server = await startFakeServer({ apiKey: API_KEY, models: { 'root-model': { rule: answering(items(), (i) => i.answer) } } });
    const resumed = await rlm(args(server));
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /2 questions, 2 runs: 0 finished earlier, 2 to ask/);
    assert.match(resumed.stdout, /2\/2 correct/);
  });

  it('exits 2 on bad usage and 1 on a bad dataset, saying what to fix', async () => {
    const missing = await rlm(['eval']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /missing --dataset/);
    const baseline = await rlm(['eval', '--dataset', dataset, '--baseline', 'oracle']);
    assert.equal(baseline.code, 2);
    assert.match(baseline.stderr, /--baseline must be "direct"/);
    writeFileSync(dataset, '{"repo": "nowhere", "question": "q", "choices": ["a", "b"], "answer": "A"}\n');
    const bad = await rlm(['eval', '--dataset', dataset]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /question "q1": repository .*nowhere is not a directory/);
  });
});
