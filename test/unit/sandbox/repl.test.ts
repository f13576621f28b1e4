import assert from 'node:assert/strict';
import type { SandboxSession } from '../../../src/core/sandbox/types';
import { run, sessionPerTest, type Harness } from './helpers';

describe('sandbox REPL semantics', function () {
  let h: Harness;
  let s: SandboxSession;
  sessionPerTest((harness, session) => {
    h = harness;
    s = session;
  });

  it('keeps top-level let, const, var, function and class across cells', async () => {
    const r = await run(s, 'let a = 1; const b = 2; var c = 3\nfunction f(x) { return x * 10 }\nclass K { v() { return 5 } }', 'a + b + c + f(1) + new K().v()');
    assert.equal(r.output, '21');
  });

  it('keeps destructured declarations', async () => {
    const r = await run(s, 'const { p, q: [r1, ...rest] } = { p: 1, q: [2, 3, 4] }', '[p, r1, rest]');
    assert.equal(r.output, '[ 1, 2, [ 3, 4 ] ]');
  });

  it('lets a later cell update a let but not reassign a const, and allows redeclaring', async () => {
    await run(s, 'let n = 1; const k = 1');
    assert.equal((await s.runCell('n = n + 1; n')).output, '2');
    const bad = await s.runCell('k = 5');
    assert.match(bad.error ?? '', /TypeError: .*read only.*k/);
    assert.equal((await s.runCell('const k = 7; k')).output, '7');
  });

  it('lets a function see variables declared in a later cell', async () => {
    const r = await run(s, 'function g() { return later * 2 }', 'let later = 21', 'g()');
    assert.equal(r.output, '42');
  });

  it('supports top-level await', async () => {
    const r = await run(s, 'const v = await Promise.resolve(41)', 'await new Promise((res) => res(v + 1))');
    assert.equal(r.output, '42');
  });

  it('shows the value of a bare last expression, and nothing after a declaration', async () => {
    assert.equal((await s.runCell('1 + 1')).output, '2');
    assert.equal((await s.runCell('(1 + 2);')).output, '3');
    assert.equal((await s.runCell('let z = 5')).output, '');
    assert.equal((await s.runCell('"a string"')).output, 'a string');
    assert.equal((await s.runCell('({ x: [1, "two"], y: null })')).output, '{ x: [ 1, "two" ], y: null }');
  });

  it('reports a runtime error with its line and keeps the state', async () => {
    await run(s, 'let kept = "yes"');
    const r = await s.runCell('let tmp = 1\n\nnull.boom');
    assert.equal(r.error, "TypeError: Cannot read properties of null (reading 'boom') (line 3)");
    assert.equal((await s.runCell('kept')).output, 'yes');
  });

  it('reports a syntax error with its line and keeps the state', async () => {
    await run(s, 'let kept2 = 2');
    const r = await s.runCell('let ok = 1\nlet = = 2');
    assert.match(r.error ?? '', /^SyntaxError: .* \(line 2\)$/);
    assert.equal((await s.runCell('kept2')).output, '2');
  });

  it('raises ReferenceError for an undefined name, with its line', async () => {
    const r = await s.runCell('\nmisspelled + 1');
    assert.equal(r.error, 'ReferenceError: misspelled is not defined (line 2)');
    assert.equal((await s.runCell('typeof misspelled')).output, 'undefined');
  });

  it('checks a name that is bound only inside a function: parameters do not define it', async () => {
    // The two cells of issue 10: the name is bound in the same cell, but only as a parameter.
    const arrow = await s.runCell('const f = (x) => x\nx');
    assert.equal(arrow.error, 'ReferenceError: x is not defined (line 2)');
    const param = await s.runCell('function g(typo) {}\nprint(typo)');
    assert.equal(param.error, 'ReferenceError: typo is not defined (line 2)');
    assert.equal((await s.runCell('print(typo)')).error, 'ReferenceError: typo is not defined (line 1)');
  });

  it('resolves names by scope: block, catch and shadowing parameters', async () => {
    const block = await s.runCell('{ let inner = 1 }\ninner');
    assert.equal(block.error, 'ReferenceError: inner is not defined (line 2)');
    const caught = await s.runCell('try { throw 1 } catch (err) {}\nerr');
    assert.equal(caught.error, 'ReferenceError: err is not defined (line 2)');
    // A parameter shadowing a persistent global reads the argument, and the global stays.
    const shadow = await run(s, 'const base = 10', 'const add = (base) => base + 1; [add(1), add(), base]');
    assert.equal(shadow.output, '[ 2, NaN, 10 ]');
    // A closure may use a top-level name declared later in the same cell.
    assert.equal((await s.runCell('const early = () => later2 * 2; const later2 = 21; early()')).output, '42');
  });

  it('reports errors thrown in a function from an earlier cell with that cell', async () => {
    await run(s, 'function thrower() {\n  throw new RangeError("nope")\n}');
    const r = await s.runCell('thrower()');
    assert.match(r.error ?? '', /^RangeError: nope \(line 2 of cell \d+\)$/);
  });

  it('reports a thrown non-error value', async () => {
    assert.equal((await s.runCell('throw { code: 7 }')).error, 'Uncaught { code: 7 }');
  });

  it('prints with print and console.*', async () => {
    const r = await s.runCell('print("a", 1, [2]); console.log("b"); console.error({ c: true })');
    assert.equal(r.output, 'a 1 [ 2 ]\nb\n{ c: true }\n');
  });

  it('truncates long output keeping head and tail and stating the cut', async () => {
    const small = await h.open({ outputChars: 1000 });
    const r = await small.runCell('for (let i = 0; i < 5000; i++) print("line " + i)');
    assert.ok(r.output.startsWith('line 0\nline 1\n'));
    assert.ok(r.output.endsWith('line 4999\n'));
    const m = /\.\.\. \[([\d,]+) characters cut\] \.\.\./.exec(r.output);
    assert.ok(m, 'states the cut');
    assert.ok(r.output.length < 1100);
  });

  it('escapes control and bidi characters in output, values and errors', async () => {
    const r = await s.runCell('print("red\\u001b[31m \\u202eevil\\u2066 \\r \\u0085 tab\\tnl"); "\\u200f"');
    assert.equal(r.output, 'red\\u001b[31m \\u202eevil\\u2066 \\u000d \\u0085 tab\tnl\n\\u200f');
    const e = await s.runCell('throw new Error("\\u202e bad")');
    assert.match(e.error ?? '', /\\u202e bad/);
    assert.doesNotMatch(e.error ?? '', /\u202e/);
  });

  it('formats values without running getters, proxy traps or custom inspect hooks', async () => {
    const r = await run(
      s,
      'let touched = 0\nconst o = { plain: 1, get g() { touched++; return 2 }, [Symbol.for("nodejs.util.inspect.custom")]() { touched++; return "hook" } }',
      'const px = new Proxy({}, { ownKeys() { touched++; return [] }, get() { touched++ } })',
      'const cyc = { name: "c" }; cyc.self = cyc',
      'print(o, px, cyc, [1, , 3], new Map([["k", 1]]), new Set([1]), /re/g); touched',
    );
    assert.match(r.output, /\{ plain: 1, g: \[Getter\], \[Symbol\(nodejs\.util\.inspect\.custom\)\]: \[Function: \[nodejs\.util\.inspect\.custom\]\] \}/);
    assert.match(r.output, /\[Proxy\]/);
    assert.match(r.output, /\{ name: "c", self: \[Circular\] \}/);
    assert.match(r.output, /\[ 1, <empty>, 3 \]/);
    assert.match(r.output, /Map\(1\) \{ "k" => 1 \}/);
    assert.match(r.output, /\/re\/g/);
    assert.ok(r.output.endsWith('\n0'), 'no getter, trap or hook ran');
  });

  it('caps the size of a shown value', async () => {
    const small = await h.open({ valueChars: 200 });
    const r = await small.runCell('Array.from({ length: 10000 }, (_, i) => i)');
    assert.ok(r.output.length <= 210, `got ${r.output.length}`);
  });

  it('accepts source text that only looks like import(, eval( or an HTML comment', async () => {
    const r = await s.runCell('// import(x) and eval(y) <!-- -->\nconst t = ["import(\'m\')", `eval(1)`, "<!-- c -->", /import\\(/.source]; t.join(" ")');
    assert.equal(r.error, undefined);
    assert.equal(r.output, "import('m') eval(1) <!-- c --> import\\(");
  });

  it('refuses declaring a reserved name', async () => {
    const r = await s.runCell('\nconst print = 1');
    assert.equal(r.error, 'SyntaxError: "print" is a reserved REPL name and cannot be declared (line 2)');
  });

  it('refuses reassigning a reserved name with a clear message', async () => {
    const r = await s.runCell('let x = 1\nanswer = { content: "x", ready: true }');
    assert.equal(r.error, 'TypeError: "answer" is a reserved REPL name and cannot be reassigned; set answer.content, then answer.ready = true (line 2)');
    assert.equal(r.final, undefined);
    assert.match((await s.runCell('print = console.log')).error ?? '', /"print" is a reserved REPL name/);
    assert.equal((await s.runCell('function f(print) { print = 2; return print } f(1)')).output, '2');
  });

  it('holds `history`: empty outside conversations, replaced by setHistory, frozen, reserved, and sent again to a fresh process', async () => {
    assert.equal((await s.runCell('JSON.stringify(history) + " " + Object.isFrozen(history)')).output, '[] true');
    s.setHistory([{ question: 'q1', answer: 'a1', status: 'answered' }, { question: 'q2', answer: null, status: 'cancelled' }]);
    const r = await s.runCell('history.map((h) => h.question + "=" + h.answer + "/" + h.status).join(";") + " " + Object.isFrozen(history[0])');
    assert.equal(r.output, 'q1=a1/answered;q2=null/cancelled true');
    assert.match((await s.runCell('const history = []')).error ?? '', /"history" is a reserved REPL name/);
    assert.match((await s.runCell('history = []')).error ?? '', /"history" is a reserved REPL name/);
    assert.match((await s.runCell('history.push(1)')).error ?? '', /TypeError/);
    assert.equal((await s.runCell('let mine = 1\nSHOW_VARS()')).output, 'mine: number');
    const killed = await s.runCell('while (true) {}', AbortSignal.timeout(300));
    assert.equal(killed.killed, 'cancelled');
    assert.equal(s.replLost, true, 'the process died with the cell');
    const after = await s.runCell('history.length + " " + typeof mine');
    assert.equal(after.variablesLost, true);
    assert.match(after.output, /2 undefined$/);
    assert.equal(s.replLost, false);
  });

  it('lists variables with SHOW_VARS', async () => {
    const r = await run(s, 'let nums = [1, 2]; const label = "x"; function fn() {}', 'SHOW_VARS()');
    assert.equal(r.output, 'nums: Array(2)\nlabel: string (1 chars)\nfn: function');
  });

  it('ends a cell that awaits a promise that can never settle, keeping the state and the process', async () => {
    await run(s, 'let stays = "here"');
    const r = await s.runCell('await llm_query("first"); await new Promise(() => {})');
    assert.equal(r.error, 'Error: the cell awaits a promise that can never settle (no readFile, grep or sub-call is pending)');
    assert.equal(r.killed, undefined);
    const next = await s.runCell('stays');
    assert.equal(next.variablesLost, undefined);
    assert.equal(next.output, 'here');
  });

  it('provides working Date.now, Math.random and float arrays', async () => {
    const r = await s.runCell('typeof Date.now() === "number" && Date.now() > 0 && Math.random() < 1 && new Float64Array([0.5])[0] === 0.5');
    assert.equal(r.output, 'true');
  });
});
