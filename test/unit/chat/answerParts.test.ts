import * as assert from 'node:assert/strict';
import { answerParts, refLines } from '../../../src/vscode/chat/answerParts';

const refsOf = (text: string) => answerParts(text).flatMap((p) => (p.kind === 'ref' ? [p.source] : []));
/** The parts joined back: nothing of the answer is lost or moved. */
const joined = (text: string) => answerParts(text).map((p) => (p.kind === 'ref' ? p.source : p.text)).join('');

describe('answer parts for VS Code Chat (references -> anchors)', () => {
  it('cuts plain references out of the text, keeping everything around them', () => {
    const text = 'add is defined in src/math.ts:1 and used in src/app.ts:4-6.';
    const parts = answerParts(text);
    assert.deepEqual(parts, [
      { kind: 'markdown', text: 'add is defined in ' },
      { kind: 'ref', ref: { path: 'src/math.ts', line: 1 }, source: 'src/math.ts:1' },
      { kind: 'markdown', text: ' and used in ' },
      { kind: 'ref', ref: { path: 'src/app.ts', line: 4, endLine: 6 }, source: 'src/app.ts:4-6' },
      { kind: 'markdown', text: '.' },
    ]);
    assert.equal(joined(text), text);
  });

  it('replaces a reference that is a code span of its own, backticks included', () => {
    const text = 'See `src/math.ts:1` here.';
    assert.deepEqual(refsOf(text), ['`src/math.ts:1`']);
    assert.equal(joined(text), text);
  });

  it('leaves references inside longer code spans and fenced code as text', () => {
    const text = 'Run `node src/cli.ts --help` first.\n\n```ts\nimport { add } from "./src/math.ts";\n// src/app.ts:4\n```\nThen README.md.';
    assert.deepEqual(refsOf(text), ['README.md']);
    assert.equal(joined(text), text);
  });

  it('treats an unclosed fence as code to the end', () => {
    assert.deepEqual(refsOf('Before src/a.ts\n```\nsrc/b.ts:3\n'), ['src/a.ts']);
  });

  it('gives 0-based anchor lines (none without a line)', () => {
    assert.deepEqual(refLines({ path: 'a.ts', line: 3 }), { start: 2, end: 2 });
    assert.deepEqual(refLines({ path: 'a.ts', line: 3, endLine: 9 }), { start: 2, end: 8 });
    assert.equal(refLines({ path: 'a.ts' }), undefined);
  });
});
