import { strict as assert } from 'node:assert';
import { KEPT_TURNS, OLD_OUTPUT_CHARS } from '../../../src/core/rlm/replMessages';
import { systemPrompt } from '../../../src/core/rlm/systemPrompt';

const prompt = systemPrompt({
  maxIterations: 30,
  outputChars: 20_000,
  subcallChars: 100_000,
  canRecurse: false,
  turn: { cells: 8, outputChars: 40_000 },
  keptTurns: KEPT_TURNS,
  oldOutputChars: OLD_OUTPUT_CHARS,
});

describe('system prompt', () => {
  it('names numbered reads and asks for full paths with line numbers from them', () => {
    assert.match(prompt, /readFile\(path, \{start, end, numbered: true\}\)/);
    assert.match(prompt, /line numbers only from\s+numbered reads/);
    assert.match(prompt, /full path exactly as in\s+context\.files \(in a multi-root workspace it starts with the root's name\)/);
  });

  it("gives grep's result shape, its modes and exclude, and the glob syntax", () => {
    assert.match(prompt, /before\/after: arrays of line\s+strings/);
    assert.match(prompt, /\.total/);
    assert.match(prompt, /mode: 'files'/);
    assert.match(prompt, /mode: 'count'/);
    assert.match(prompt, /exclude/);
    assert.match(prompt, /`!` excludes/);
    assert.match(prompt, /\*\*/);
  });

  it('names the structure functions and labelled batches', () => {
    for (const name of ['outline(path)', 'enclosing(path, line)', 'definitions(name', 'references(name', 'llm_batch([{id, prompt}']) {
      assert.ok(prompt.includes(name), name);
    }
  });

  it('asks for numbered text to sub-models and path:line citations from them', () => {
    assert.match(prompt, /numbered text with its path, asking the sub-model to\s+cite `path:line`/);
  });

  it('states when old outputs are trimmed, with the numbers compactHistory uses', () => {
    assert.equal(KEPT_TURNS, 6);
    assert.match(prompt, /Outputs older than the last 6 turns are cut to their first 1,500 characters/);
  });

  it('does not repeat what the first message already shows', () => {
    assert.doesNotMatch(prompt, /print context\.totals/);
  });
});
