import type { ChatMessage } from '../llm/types';
import { groupThousands, headTail } from '../sandbox/text';
import type { CellResult } from '../sandbox/types';
import { DEFAULT_TURN_LIMITS, type TurnLimits } from './types';

/** How one cell's result reads to the root model. The sandbox already words kills and lost
 *  variables into `error` and `output`, so they are not repeated here. */
export function describeCell(index: number, total: number, r: CellResult): string {
  const parts: string[] = [];
  // Several blocks: a short marker tells them apart; one block: just its output.
  if (total > 1) parts.push(`[block ${index + 1} of ${total}]`);
  if (r.output) parts.push(r.output);
  if (r.error) parts.push(`Error: ${r.error}`);
  if (!r.output && !r.error) parts.push('(no output: print what you want to see)');
  return parts.join('\n');
}

/** The REPL's reply to one turn: every cell's text, cut as a whole to `limits.outputChars` (head
 *  and tail kept), plus why blocks did not run. */
export function replyMessage(
  turn: number,
  maxTurns: number,
  cellTexts: string[],
  skipped: number,
  limits: TurnLimits & { overLimit: number } = { ...DEFAULT_TURN_LIMITS, overLimit: 0 },
): string {
  const left = maxTurns - turn;
  const joined = cellTexts.join('\n\n');
  const body =
    joined.length > limits.outputChars
      ? `${headTail(joined, limits.outputChars)}\n(This turn's output was cut: the REPL reply to one turn is capped at ${groupThousands(limits.outputChars)} characters. Print less per turn.)`
      : joined;
  const tail =
    skipped > 0 ? `\n(${skipped} later block${skipped > 1 ? 's were' : ' was'} not run because a cell failed.)` : '';
  const over =
    limits.overLimit > 0
      ? `\n(${limits.overLimit} more block${limits.overLimit > 1 ? 's were' : ' was'} not run: at most ${limits.cells} code blocks run per reply.)`
      : '';
  const hint = left <= 2 && left > 0 ? `\nOnly ${left} turn${left > 1 ? 's' : ''} left: finish with FINAL soon.` : '';
  return `[turn ${turn}/${maxTurns}] REPL output:\n${body}${tail}${over}${hint}`;
}

/** The model's reply as kept in the conversation: its code already ran in full, so an oversized
 *  reply is cut (head and tail kept) rather than sent back whole with every later request. */
export function keptReply(reply: string, limits: TurnLimits): string {
  if (reply.length <= limits.outputChars) return reply;
  return `${headTail(reply, limits.outputChars)}\n(Your reply was cut to ${groupThousands(limits.outputChars)} characters in this conversation.)`;
}

/** Keeps the root conversation bounded: REPL outputs older than the last `keep` turns are cut to a
 *  short head, since their facts should already live in REPL variables. */
export const KEPT_TURNS = 6;
export const OLD_OUTPUT_CHARS = 1_500;

export function compactHistory(messages: ChatMessage[], keep = KEPT_TURNS, oldMaxChars = OLD_OUTPUT_CHARS): ChatMessage[] {
  const replies = messages
    .map((m, i) => (m.role === 'user' && m.content.startsWith('[turn ') ? i : -1))
    .filter((i) => i >= 0);
  const old = new Set(replies.slice(0, Math.max(0, replies.length - keep)));
  return messages.map((m, i) =>
    old.has(i) && m.content.length > oldMaxChars
      ? { ...m, content: `${m.content.slice(0, oldMaxChars)}\n[... older output cut to save context; ${m.content.length - oldMaxChars} characters omitted]` }
      : m,
  );
}
