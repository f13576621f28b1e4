import { groupThousands, headTail } from '../sandbox/text';
import type { HistoryEntry } from '../sandbox/types';

/** Earlier questions listed in the prompt, at most (older ones stay in the REPL's `history`). */
export const PROMPT_QUESTIONS = 20;
/** Characters of an earlier question as listed in the prompt. */
export const PROMPT_QUESTION_CHARS = 2_000;
/** The latest answer keeps this many times `answerChars` in the prompt; older ones `answerChars`. */
export const LATEST_ANSWER_FACTOR = 4;

/** Why a question's REPL is not the one the earlier questions left, for the model and the user. */
export type ReplNote =
  | { repl: 'kept' }
  | { repl: 'new' }
  | { repl: 'restarted'; idleMs: number }
  | { repl: 'restarted'; stopped: true };

/** What the root model of question N reads before the question itself: the earlier questions with
 *  their final answers (never their transcripts), cut to a stated size, and what became of the REPL.
 *  Empty for a conversation's first question. */
export function earlierQuestions(turns: readonly HistoryEntry[], note: ReplNote, answerChars: number): string {
  if (!turns.length) return '';
  const shown = turns.slice(-PROMPT_QUESTIONS);
  const first = turns.length - shown.length;
  const parts = [
    `This is question ${turns.length + 1} of a conversation about this workspace. The earlier questions and their final answers` +
      ` (answers cut to ${groupThousands(answerChars)} characters, the latest to ${groupThousands(answerChars * LATEST_ANSWER_FACTOR)}; full text in \`history\`):`,
  ];
  if (first > 0) parts.push(`(${first} older question${first > 1 ? 's are' : ' is'} only in \`history\`.)`);
  shown.forEach((t, i) => {
    const n = first + i;
    const limit = n === turns.length - 1 ? answerChars * LATEST_ANSWER_FACTOR : answerChars;
    const answer = t.answer === null ? `(no answer: ${t.status})` : headTail(t.answer, limit);
    parts.push(`### Question ${n + 1} (${t.status})\n${headTail(t.question, PROMPT_QUESTION_CHARS)}\n### Answer ${n + 1}\n${answer}`);
  });
  parts.push(replNoteText(note));
  return parts.join('\n\n');
}

/** One sentence on the REPL's state, as the model reads it. */
export function replNoteText(note: ReplNote): string {
  switch (note.repl) {
    case 'kept':
      return 'The REPL kept its state: variables and functions from the earlier questions are still defined (SHOW_VARS() lists them).';
    case 'new':
      return 'The REPL is new for this question: variables from the earlier questions are gone; `history` still has their answers.';
    default:
      return 'idleMs' in note
        ? `The REPL was restarted after ${idleText(note.idleMs)} idle; earlier variables are gone; \`history\` still has the answers.`
        : 'The REPL was restarted because a cell of an earlier question was stopped; earlier variables are gone; `history` still has the answers.';
  }
}

/** "15 minutes", "1 minute", "2.5 s". */
export function idleText(ms: number): string {
  if (ms >= 60_000) {
    const min = Math.round(ms / 6_000) / 10;
    return `${min} minute${min === 1 ? '' : 's'}`;
  }
  return `${Math.round(ms / 100) / 10} s`;
}

