/** Which RLM conversation a chat request continues. VS Code's Chat keeps no state for a participant
 *  between requests, but hands back each earlier response's `result.metadata` in `context.history`:
 *  `@rlm` stores its `ChatTurnMeta` there, and the latest one names the thread's conversation. Pure:
 *  works on the history's shape, not on `vscode` classes. */

import type { ConversationTurn } from '../../core/rlm/conversation';

/** What `@rlm` keeps in `ChatResult.metadata` (JSON). */
export interface ChatTurnMeta {
  /** The run this request made, if any. */
  runId?: string;
  /** The conversation the request belongs to (the core `Conversation`'s id, as in its runs' run.start). */
  conversationId?: string;
  /** The folder the conversation is limited to (`/explain`), as a URI string. */
  folder?: string;
  /** `/new`: the next request starts a conversation of its own. */
  newConversation?: boolean;
}

/** A turn of `ChatContext.history`: request turns have `prompt`, response turns `result` and `response`. */
export interface HistoryTurn {
  readonly participant: string;
  readonly prompt?: string;
  readonly command?: string;
  readonly result?: { readonly metadata?: unknown; readonly errorDetails?: unknown };
  /** Markdown parts (`value.value`), anchors (`title`), buttons. */
  readonly response?: readonly { readonly value?: unknown; readonly title?: string }[];
}

function metaOf(turn: HistoryTurn): ChatTurnMeta | undefined {
  const m = (turn.result?.metadata as { rlm?: unknown } | undefined)?.rlm;
  if (!m || typeof m !== 'object') return undefined;
  const { runId, conversationId, folder, newConversation } = m as Record<string, unknown>;
  return {
    ...(typeof runId === 'string' ? { runId } : {}),
    ...(typeof conversationId === 'string' ? { conversationId } : {}),
    ...(typeof folder === 'string' ? { folder } : {}),
    ...(newConversation === true ? { newConversation } : {}),
  };
}

/** The conversation this thread is in: the latest `@rlm` response that names one, unless a `/new`
 *  came after it. Responses that made no run (a refusal) neither continue nor end it. */
export function threadOf(history: readonly HistoryTurn[], participant: string): { conversationId?: string; folder?: string } {
  for (let i = history.length - 1; i >= 0; i--) {
    const turn = history[i];
    if (turn.participant !== participant || !('result' in turn)) continue;
    const meta = metaOf(turn);
    if (meta?.newConversation) return {};
    if (meta?.conversationId) return { conversationId: meta.conversationId, folder: meta.folder };
  }
  return {};
}

/** The metadata of a response: `{ rlm: meta }` (a namespace, so other keys can live beside it). */
export function chatMetadata(meta: ChatTurnMeta): { rlm: ChatTurnMeta } {
  return { rlm: meta };
}

/** The text of a response as the chat shows it: Markdown parts and anchor titles. */
function responseText(turn: HistoryTurn): string {
  return (turn.response ?? [])
    .map((part) => {
      const md = (part.value as { value?: unknown } | undefined)?.value;
      if (typeof md === 'string') return md;
      return typeof part.title === 'string' ? part.title : '';
    })
    .join('');
}

/** The earlier questions of conversation `id` in this thread, oldest first: what a conversation the
 *  window no longer holds (after a reload) is made again from. */
export function earlierTurns(history: readonly HistoryTurn[], participant: string, id: string): ConversationTurn[] {
  const turns: ConversationTurn[] = [];
  let question = '';
  for (const turn of history) {
    if (turn.participant !== participant) continue;
    if (!('result' in turn)) {
      question = `${turn.command ? `/${turn.command} ` : ''}${turn.prompt ?? ''}`.trim();
      continue;
    }
    const meta = metaOf(turn);
    if (meta?.conversationId !== id || !meta.runId) continue;
    const failed = turn.result?.errorDetails !== undefined;
    turns.push({ runId: meta.runId, question, status: failed ? 'failed' : 'answered', ...(failed ? {} : { answer: responseText(turn) }) });
  }
  return turns;
}
