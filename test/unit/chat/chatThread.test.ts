import * as assert from 'node:assert/strict';
import { chatMetadata, earlierTurns, threadOf, type HistoryTurn } from '../../../src/vscode/chat/chatThread';

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

  it('rebuilds the conversation\'s earlier questions from the thread (a window that lost it)', () => {
    const md = (value: string) => ({ value: { value } });
    const history: HistoryTurn[] = [
      ask('Where is add?'),
      { participant: ME, result: { metadata: chatMetadata({ runId: 'r1', conversationId: 'c1' }) }, response: [md('In '), { value: { path: '/w/src/math.ts' }, title: 'src/math.ts:1' }, md('.'), { value: { command: 'rlm.history.open' } }] },
      ask('other thread', 'someone-else'),
      { participant: ME, prompt: 'src', command: 'explain' } as HistoryTurn,
      { participant: ME, result: { metadata: chatMetadata({ runId: 'r2', conversationId: 'c2' }) }, response: [md('x')] },
      ask('And mul?'),
      { participant: ME, result: { metadata: chatMetadata({ runId: 'r3', conversationId: 'c1' }), errorDetails: { message: 'failed' } }, response: [md('The run failed')] },
    ];
    assert.deepEqual(earlierTurns(history, ME, 'c1'), [
      { runId: 'r1', question: 'Where is add?', status: 'answered', answer: 'In src/math.ts:1.' },
      { runId: 'r3', question: 'And mul?', status: 'failed' },
    ]);
    assert.deepEqual(earlierTurns(history, ME, 'c2'), [{ runId: 'r2', question: '/explain src', status: 'answered', answer: 'x' }]);
  });
});
