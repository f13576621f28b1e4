import { strict as assert } from 'node:assert';
import { extractCode } from '../../../src/core/rlm/codeBlocks';

describe('extractCode', () => {
  it('runs js, javascript and repl fences in order', () => {
    const reply = 'Plan.\n```js\nprint(1)\n```\ntext\n```javascript\nprint(2)\n```\n```repl\nprint(3)\n```';
    assert.deepEqual(extractCode(reply).blocks, ['print(1)', 'print(2)', 'print(3)']);
  });

  it('ignores output, text and untagged fences (invented REPL output is not code)', () => {
    const reply = '```js\nconst n = 1\n```\n```output\n42 files\n```\n```\nFINAL("x")\n```\nThe answer is 42.';
    assert.deepEqual(extractCode(reply), { blocks: ['const n = 1'] });
  });

  it('reports a python-only reply so the model can be corrected', () => {
    const r = extractCode('```python\nprint(context)\n```');
    assert.deepEqual(r.blocks, []);
    assert.equal(r.foreignLanguage, 'python');
  });

  it('finds nothing in prose, even prose that mentions FINAL', () => {
    assert.deepEqual(extractCode('I will call FINAL("done") now.'), { blocks: [], foreignLanguage: undefined });
  });

  it('keeps inner backticks, longer fences, tildes and CRLF', () => {
    const reply = '````js\nconst s = `a`;\n```\nstill code\n````\r\n~~~js\r\nprint(2)\r\n~~~';
    assert.deepEqual(extractCode(reply).blocks, ['const s = `a`;\n```\nstill code', 'print(2)']);
  });

  it('runs an unterminated final block (models get cut off by max tokens)', () => {
    assert.deepEqual(extractCode('```js\nprint(1)\n').blocks, ['print(1)\n']);
  });

  it('skips empty blocks', () => {
    assert.deepEqual(extractCode('```js\n\n```').blocks, []);
  });
});
