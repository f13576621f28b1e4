import type { ChatMessage } from '../llm/types';
import type { CellResult } from '../sandbox/types';

/** How one cell's result reads to the root model. The sandbox already words kills and lost
 *  variables into `error` and `output`, so they are not repeated here. */
export function describeCell(index: number, total: number, r: CellResult): string {
  const label = total > 1 ? `Cell ${index + 1} of ${total}` : 'Cell';
  const parts: string[] = [];
  if (r.output) parts.push(r.output);
  if (r.error) parts.push(`Error: ${r.error}`);
  if (!parts.length) parts.push('(no output: print what you want to see)');
  return `${label}:\n${parts.join('\n')}`;
}

export function replyMessage(turn: number, maxTurns: number, cellTexts: string[], skipped: number): string {
  const left = maxTurns - turn;
  const tail =
    skipped > 0 ? `\n(${skipped} later block${skipped > 1 ? 's were' : ' was'} not run because a cell failed.)` : '';
  const hint = left <= 2 && left > 0 ? `\nOnly ${left} turn${left > 1 ? 's' : ''} left: finish with FINAL soon.` : '';
  return `[turn ${turn}/${maxTurns}] REPL output:\n${cellTexts.join('\n\n')}${tail}${hint}`;
}

/** Keeps the root conversation bounded: REPL outputs older than the last `keep` turns are cut to a
 *  short head, since their facts should already live in REPL variables. */
export function compactHistory(messages: ChatMessage[], keep = 6, oldMaxChars = 1_500): ChatMessage[] {
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
