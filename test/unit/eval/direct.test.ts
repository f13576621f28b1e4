import { strict as assert } from 'node:assert';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeServer, type FakeServer } from '../../fakeServer/server';
import { API_KEY, DOTENV_SECRET, makeFixtureRepo } from '../rlm/harness';
import { evalAgainst, outDir } from './evalHarness';

describe('eval direct baseline', function () {
  this.timeout(60_000);
  let server: FakeServer | undefined;
  let repo: string;
  let dir: string;
  afterEach(async () => {
    await server?.close();
    rmSync(repo, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('pastes the mapped files in path order under headers, cut at the stated size, never secrets or ignored files', async () => {
    repo = makeFixtureRepo();
    dir = outDir();
    const dataset = join(dir, 'd.jsonl');
    writeFileSync(dataset, `${JSON.stringify({ id: 'login', repo, question: 'Where is login?', choices: ['src/auth.ts', 'src/db.ts'], answer: 'A' })}\n`);
    server = await startFakeServer({ apiKey: API_KEY, models: { 'root-model': { rule: () => 'A' } } });
    const paste = async (directChars: number) => {
      const out = await evalAgainst(server!, { dataset, outDir: join(dir, `out-${directChars}`), modes: ['direct'], directChars });
      const req = server!.requests.filter((r) => r.model === 'root-model').at(-1)!;
      const messages = (req.body as { messages: { role: string; content: string }[] }).messages;
      assert.equal(messages.length, 1);
      return { out, prompt: messages[0].content };
    };

    const whole = await paste(100_000);
    const headers = [...whole.prompt.matchAll(/^=== FILE (.+) ===$/gm)].map((m) => m[1]);
    assert.deepEqual(headers, ['.gitignore', 'README.md', 'package.json', 'src/auth.ts', 'src/db.ts', 'src/util/strings.ts']);
    assert.ok(!whole.prompt.includes(DOTENV_SECRET) && !whole.prompt.includes('console.log("built")'));
    assert.match(whole.prompt, /Where is login\?\n\nChoices:\n\(A\) src\/auth\.ts\n\(B\) src\/db\.ts\n\nThis is a multiple-choice question about the repository above\. Answer with exactly one letter \(A, B\)/);
    assert.equal(whole.out.summaries[0].correct, 1);

    const cut = await paste(140);
    const pasted = cut.prompt.slice(0, cut.prompt.indexOf('\nWhere is login?'));
    assert.equal(pasted.length, 140);
    assert.deepEqual([...pasted.matchAll(/^=== FILE (.+) ===$/gm)].map((m) => m[1]), ['.gitignore', 'README.md', 'package.json']);
    const report = (await import('node:fs')).readFileSync(cut.out.files.report, 'utf8');
    assert.match(report, /cut at 140 characters/);
    assert.match(report, /answered \(3\/6 files, cut\)/);
  });
});
