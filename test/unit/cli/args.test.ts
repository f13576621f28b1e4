import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCli, UsageError } from '../../../src/cli/args';
import { DEFAULT_ROOT_MODEL, DEFAULT_SUB_MODEL } from '../../../src/core/llm/defaults';
import { progressLine, SubcallMilestones } from '../../../src/cli/progress';

const parse = (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const r = parseCli(args, env, '/cwd');
  if (r.help) throw new Error('unexpected help');
  return r.options;
};

describe('rlm ask arguments', () => {
  it('reads the question, defaults and environment', () => {
    const o = parse(['ask', 'What', 'is', 'this?'], { OPENAI_API_KEY: 'k', RLM_MODEL: 'm1' });
    assert.equal(o.question, 'What is this?');
    assert.equal(o.root, '/cwd');
    assert.equal(o.apiKey, 'k');
    assert.equal(o.model, 'm1');
    assert.equal(o.subModel, 'm1');
    assert.equal(o.baseURL, 'https://api.openai.com/v1');
    assert.equal(o.json, false);
  });

  it('defaults to the same root and sub-model as the extension (one constant, package.json agrees)', () => {
    const o = parse(['ask', 'q']);
    assert.deepEqual([o.model, o.subModel], [DEFAULT_ROOT_MODEL, DEFAULT_SUB_MODEL]);
    const settings = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')).contributes.configuration.properties;
    assert.equal(settings['rlm.model'].default, DEFAULT_ROOT_MODEL);
    assert.equal(settings['rlm.subModel'].default, DEFAULT_SUB_MODEL);
    assert.equal(parse(['ask', '--model', 'llama3', 'q']).subModel, 'llama3', 'a chosen root model is its own sub-model');
  });

  it('takes every documented flag', () => {
    const o = parse(['ask', '--root', 'r', '--base-url', 'http://127.0.0.1:2/v1', '--model', 'a', '--sub-model', 'b', '--api-key', 'x',
      '--max-iterations', '5', '--max-depth', '2', '--max-subcalls', '9', '--max-cost', '0.5', '--cell-timeout', '2.5',
      '--trace', 't.jsonl', '--json', '--price', 'a=1.25,10', '--exclude', '*.md', '--max-model-requests', '40', '--cells-per-turn', '3',
      '--turn-output', '9000', 'q']);
    assert.deepEqual([o.maxModelRequests, o.cellsPerTurn, o.turnOutputChars], [40, 3, 9000]);
    assert.deepEqual(
      [o.root, o.baseURL, o.model, o.subModel, o.apiKey, o.maxIterations, o.maxDepth, o.maxSubcalls, o.maxCostUsd, o.cellTimeoutMs, o.trace, o.json],
      ['r', 'http://127.0.0.1:2/v1', 'a', 'b', 'x', 5, 2, 9, 0.5, 2500, 't.jsonl', true],
    );
    assert.deepEqual(o.prices, { a: { input: 1.25, output: 10 } });
    assert.deepEqual(o.excludes, ['*.md']);
  });

  it('takes the sandbox memory and reply-queue limits', () => {
    const o = parse(['ask', '--sandbox-memory', '1024', '--reply-queue', '16', 'q']);
    assert.deepEqual([o.sandboxMemoryMb, o.replyQueueMb], [1024, 16]);
    assert.throws(() => parse(['ask', '--sandbox-memory', '100', 'q']), /--sandbox-memory must be a whole number from 256/);
    assert.throws(() => parse(['ask', '--reply-queue', '0', 'q']), /--reply-queue must be a whole number from 1/);
  });

  it('rlm chat: no question on the command line; --idle-minutes (0 = never) and --answer-chars, for chat only', () => {
    const o = parse(['chat', '--idle-minutes', '0.5', '--answer-chars', '500']);
    assert.deepEqual([o.command, o.question, o.idleMs, o.answerChars], ['chat', '', 30_000, 500]);
    const d = parse(['chat']);
    assert.deepEqual([d.idleMs, d.answerChars], [15 * 60_000, 2_000]);
    assert.equal(parse(['chat', '--idle-minutes', '0']).idleMs, Infinity);
    assert.throws(() => parse(['chat', 'a question']), /rlm chat takes no question on the command line/);
    assert.throws(() => parse(['ask', '--idle-minutes', '3', 'q']), /apply to rlm chat only/);
    assert.throws(() => parse(['chat', '--idle-minutes=-1']), /--idle-minutes must be a non-negative number/);
    assert.throws(() => parse(['chat', '--answer-chars', '5']), /--answer-chars must be a whole number from 100/);
  });

  it('records which of endpoint, key and models were given (the local probe needs neither endpoint nor key)', () => {
    assert.deepEqual(parse(['ask', 'q']).given, { baseURL: false, apiKey: false, model: false, subModel: false });
    assert.deepEqual(parse(['ask', 'q'], { OPENAI_BASE_URL: 'http://127.0.0.1:5/v1', OPENAI_API_KEY: 'k', RLM_MODEL: 'm' }).given, { baseURL: true, apiKey: true, model: true, subModel: false });
    assert.deepEqual(parse(['ask', '--sub-model', 's', 'q']).given, { baseURL: false, apiKey: false, model: false, subModel: true });
  });

  it('answers --help', () => {
    assert.deepEqual(parseCli(['--help'], {}, '/'), { help: true });
  });

  for (const [args, message] of [
    [[], /missing command/],
    [['ask'], /missing question/],
    [['tell', 'x'], /unknown command "tell"/],
    [['ask', '--max-depth', '4', 'q'], /--max-depth must be a whole number from 1 to 3/],
    [['ask', '--max-iterations', '-1', 'q'], /--max-iterations/],
    [['ask', '--max-cost', 'lots', 'q'], /--max-cost must be a non-negative number/],
    [['ask', '--cell-timeout', '0', 'q'], /more than 0 seconds/],
    [['ask', '--base-url', 'file:///etc', 'q'], /http\(s\) URL/],
    [['ask', '--price', 'gpt', 'q'], /MODEL=IN,OUT/],
    [['ask', '--bogus', 'q'], /bogus/],
  ] as const) {
    it(`refuses ${JSON.stringify(args)} with a clear message`, () => {
      assert.throws(() => parse([...args]), (e: Error) => e instanceof UsageError && message.test(e.message));
    });
  }
});

describe('rlm ask progress lines', () => {
  it('shows turns and cells, escaping control and bidi characters of model text', () => {
    assert.equal(progressLine({ type: 'iteration.start', id: '1', ts: 0, iteration: 2, maxIterations: 30 }), 'turn 2/30');
    assert.equal(progressLine({ type: 'cell.start', id: '2', ts: 0, code: '\n\u001b[31mprint(1)\u202e' }), '  cell: \\u001b[31mprint(1)\\u202e');
  });

  it('notes every 25 sub-calls from the run\'s own total, without counting events', () => {
    const m = new SubcallMilestones();
    const end = (subcalls: number) => ({ type: 'subcall.end' as const, id: String(subcalls), ts: 0, subcallId: 's', ms: 1, total: { tokens: 0, costUsd: null, subcalls } });
    // Sub-calls of a batch finish out of order and some ends are failures without a total.
    const notes = [end(3), end(24), { ...end(30), total: undefined }, end(26), end(27), end(51), end(60), end(75)].map((e) => m.note(e));
    assert.deepEqual(notes.filter(Boolean), ['  25 sub-calls', '  50 sub-calls', '  75 sub-calls']);
  });
});
