import { strict as assert } from 'node:assert';
import type { NodeView } from '../../../src/panelProtocol';
import { callsIn, iterationSummary, proseOf } from '../../../webview/nodeText';

const node = (over: Partial<NodeView> & Pick<NodeView, 'id' | 'kind'>): NodeView => ({ title: '', state: 'done', ...over });

describe('tree text: iteration summaries and model replies', () => {
  it('names the REPL functions a cell called, with counts, in a fixed order', () => {
    assert.equal(callsIn(["const h = await grep('x');\nconst r = await llm_query('y');\nawait grep('z')"]), 'grep ×2, llm_query');
    assert.equal(callsIn(['print(1)']), '');
  });

  it('sums up a collapsed iteration: calls, printed lines, sub-calls, errors', () => {
    const cell = node({ id: 'c', kind: 'cell', parentId: 'i', body: "const h = await grep('export');\nprint(await llm_batch(['a', 'b']))", output: 'a\nb\n\nc\n', state: 'error' });
    const subs = [node({ id: 's1', kind: 'subcall', parentId: 'c' }), node({ id: 's2', kind: 'subcall', parentId: 'c', state: 'error' })];
    const model = node({ id: 'm', kind: 'model', parentId: 'i', body: '```js\n...\n```' });
    assert.equal(iterationSummary([model, cell], [model, cell, ...subs]), 'grep, llm_batch · 3 lines printed · 2 sub-calls · 2 errors');
  });

  it('says when an iteration had no code, and marks the final answer', () => {
    assert.equal(iterationSummary([node({ id: 'm', kind: 'model', body: 'Thinking…' })], []), 'no code: the model replied in prose');
    const final = node({ id: 'c', kind: 'cell', body: "FINAL('done')", title: "FINAL('done')  ✓ final" });
    assert.equal(iterationSummary([final], [final]), 'FINAL · final answer');
  });

  it('a model reply keeps its prose and points to the CODE nodes instead of repeating the code', () => {
    const reply = 'Let me grep first.\n\n```js\nconst h = await grep("x");\n```\n\nThen I will read.';
    const shown = proseOf(reply)!;
    assert.doesNotMatch(shown, /grep\(/);
    assert.match(shown, /Let me grep first\.\n\nThen I will read\.\n\n\(1 code block: shown in the CODE node below\)/);
    assert.equal(proseOf('```js\na()\n```\n```js\nb()\n```'), '(2 code blocks: shown in the CODE nodes below)');
    assert.equal(proseOf('Only prose.'), 'Only prose.');
  });
});
