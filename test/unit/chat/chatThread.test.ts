import * as assert from 'node:assert/strict';
import { chatMetadata, threadOf, type HistoryTurn } from '../../../src/vscode/chat/chatThread';

const ME = 'rlm-team.rlm';
const ask = (prompt: string, participant = ME) => ({ participant, prompt }) as unknown as HistoryTurn;
const said = (meta: object | undefined, participant = ME): HistoryTurn => ({ participant, result: { metadata: meta } });

describe('chat thread -> RLM conversation', () => {
  it('a thread with no @rlm answer yet has no conversation', () => {
    assert.deepEqual(threadOf([], ME), {});
    assert.deepEqual(threadOf([ask('hi', 'other'), said({ rlm: { conversationId: 'x' } }, 'other')], ME), {});
  });

  it('a follow-up continues the conversation its thread started (the first run id)', () => {
    const history = [ask('q1'), said(chatMetadata({ runId: 'r1', conversationId: 'r1' })), ask('q2'), said(chatMetadata({ runId: 'r2', conversationId: 'r1' }))];
    assert.deepEqual(threadOf(history, ME), { conversationId: 'r1', folder: undefined });
  });

  it('keeps the folder of an /explain conversation for its follow-ups', () => {
    const history = [ask('src'), said(chatMetadata({ runId: 'r1', conversationId: 'r1', folder: 'file:///w/src' }))];
    assert.deepEqual(threadOf(history, ME), { conversationId: 'r1', folder: 'file:///w/src' });
  });

  it('/new ends the conversation; the next answer starts another', () => {
    const history = [said(chatMetadata({ runId: 'r1', conversationId: 'r1' })), said(chatMetadata({ newConversation: true }))];
    assert.deepEqual(threadOf(history, ME), {});
    history.push(said(chatMetadata({ runId: 'r3', conversationId: 'r3' })));
    assert.deepEqual(threadOf(history, ME), { conversationId: 'r3', folder: undefined });
  });

  it('skips answers without a run (help, refusals without a conversation) and ignores malformed metadata', () => {
    const history = [said(chatMetadata({ runId: 'r1', conversationId: 'r1' })), said({}), said(undefined), said({ rlm: { conversationId: 42 } }), said({ rlm: 'x' })];
    assert.deepEqual(threadOf(history, ME), { conversationId: 'r1', folder: undefined });
  });
});
