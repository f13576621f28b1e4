import { strict as assert } from 'node:assert';
import { checkPanelMessage, MESSAGE_CHARS, restoredRunIds } from '../../../src/vscode/panel/panelMessages';

const ignored = (raw: unknown) => {
  const c = checkPanelMessage(raw);
  return 'ignored' in c ? c.ignored : undefined;
};

describe('messages from the run panel (webview) as the host checks them', function () {
  this.timeout(20_000);
  it('passes the protocol\'s messages', () => {
    for (const m of [
      { type: 'ready' },
      { type: 'cancel' },
      { type: 'rerun' },
      { type: 'resume' },
      { type: 'verifyRefs', seq: 3, refs: [{ path: 'src/a.ts', line: 2 }] },
      { type: 'verifyRefs', seq: 0, refs: Array.from({ length: 500 }, () => ({ path: 'p'.repeat(1024) })) },
      { type: 'openRef', ref: { path: 'src/a.ts' } },
      { type: 'openSetting', setting: 'rlm.prices' },
    ]) assert.deepEqual(checkPanelMessage(m), { message: m }, JSON.stringify(m).slice(0, 80));
  });

  it('ignores malformed and unknown messages with a short reason', () => {
    assert.match(ignored(null)!, /not an object \(null\)/);
    assert.match(ignored([1, 2])!, /not an object \(array\)/);
    assert.match(ignored('ready')!, /not an object \(string\)/);
    assert.match(ignored({})!, /no message type/);
    assert.match(ignored({ type: 42 })!, /no message type/);
    assert.match(ignored({ type: 'runCommand', command: 'workbench.action.terminal.new' })!, /unknown message type "runCommand"/);
    assert.match(ignored({ type: '__proto__' })!, /unknown message type/);
    assert.match(ignored({ type: 'constructor' })!, /unknown message type/);
    const long = ignored({ type: `x\u001b[2J${'y'.repeat(100_000)}` })!;
    assert.ok(long.length < 100 && !long.includes('\u001b'), long);
    assert.match(ignored({ type: 'verifyRefs', seq: 'x', refs: [] })!, /valid seq/);
    assert.match(ignored({ type: 'verifyRefs', seq: 1.5, refs: [] })!, /valid seq/);
    assert.match(ignored({ type: 'verifyRefs', seq: 1, refs: 'src/a.ts' })!, /refs array/);
    assert.match(ignored({ type: 'verifyRefs', seq: 1, refs: new Array(501).fill({ path: 'a' }) })!, /501 references \(at most 500\)/);
    assert.match(ignored({ type: 'openRef', ref: 'src/a.ts' })!, /without a reference/);
    assert.match(ignored({ type: 'openSetting', setting: 'rlm.apiKey' })!, /does not link to/);
  });

  it('ignores huge or deeply nested payloads without walking all of them', () => {
    assert.match(ignored({ type: 'ready', pad: 'x'.repeat(MESSAGE_CHARS + 1) })!, /"ready" message over 1,000,000 characters/);
    assert.match(ignored({ type: 'cancel', pad: new Uint8Array(MESSAGE_CHARS + 1) })!, /over/);
    assert.match(ignored({ type: 'verifyRefs', seq: 1, refs: [{ path: 'a'.repeat(2 * MESSAGE_CHARS) }] })!, /over/);
    let deep: unknown = 'leaf';
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    assert.match(ignored({ type: 'rerun', deep })!, /nested deeper than 6 levels/);
    const wide = { type: 'openRef', ref: Object.fromEntries(Array.from({ length: 130_000 }, (_, i) => [`k${i}`, i])) };
    assert.match(ignored(wide)!, /over/);
  });
});

describe('checkPanelMessage: copy, openMarkdown and the restored state', () => {
  it('takes copy with text and a known kind, openMarkdown with a run id; ignores the rest', () => {
    assert.ok('message' in checkPanelMessage({ type: 'copy', text: 'x', what: 'code' }));
    assert.ok('ignored' in checkPanelMessage({ type: 'copy', text: 3, what: 'code' }));
    assert.ok('ignored' in checkPanelMessage({ type: 'copy', text: 'x', what: 'file' }));
    assert.ok('message' in checkPanelMessage({ type: 'openMarkdown', runId: '20261130T120000Z-abc123' }));
    assert.ok('ignored' in checkPanelMessage({ type: 'openMarkdown', runId: '../../etc/passwd' }));
    assert.ok('ignored' in checkPanelMessage({ type: 'openMarkdown' }));
  });

  it('restoredRunIds keeps only well-formed run ids from a webview state', () => {
    assert.deepEqual(restoredRunIds({ runIds: ['a-1', '../x', 7, 'b.2'] }), ['a-1', 'b.2']);
    assert.deepEqual(restoredRunIds(undefined), []);
    assert.deepEqual(restoredRunIds({ runIds: 'a' }), []);
    assert.equal(restoredRunIds({ runIds: Array.from({ length: 50 }, (_, i) => `r${i}`) }).length, 20);
  });
});
