import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '../../../src/core/eval/dataset';

const SCRIPT = join(__dirname, '..', '..', '..', 'scripts', 'longbench-codeqa.mjs');

describe('scripts/longbench-codeqa.mjs (the paper protocol dataset)', () => {
  it('keeps the Code Repository Understanding questions; each context becomes a folder of parts under 1 MiB that add up to it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rlm-longbench-'));
    try {
      const context = Array.from({ length: 30_000 }, (_, i) => `def f${i}(): return ${i}  # ü`).join('\n');
      const data = [
        { _id: '66ebed52', domain: 'Code Repository Understanding', difficulty: 'hard', length: 'long', question: 'Which function returns 7?', choice_A: 'f6', choice_B: 'f7', choice_C: 'f8', choice_D: 'none', answer: 'B', context },
        { _id: 'doc1', domain: 'Single-Document QA', question: 'q', choice_A: 'a', choice_B: 'b', choice_C: 'c', choice_D: 'd', answer: 'A', context: 'text' },
      ];
      writeFileSync(join(dir, 'data.json'), JSON.stringify(data));
      execFileSync(process.execPath, [SCRIPT, join(dir, 'data.json'), join(dir, 'out')]);
      const items = await loadDataset(join(dir, 'out', 'codeqa.jsonl'));
      assert.deepEqual(items.map((i) => [i.id, i.answer, i.tags, Object.keys(i.choices).join('')]), [['66ebed52', 'B', ['hard', 'long'], 'ABCD']]);
      const parts = readdirSync(items[0].repo).sort();
      assert.ok(parts.length > 1);
      for (const p of parts) assert.ok(statSync(join(items[0].repo, p)).size <= 1024 * 1024);
      assert.equal(parts.map((p) => readFileSync(join(items[0].repo, p), 'utf8')).join(''), context);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
