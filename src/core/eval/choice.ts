/** How a multiple-choice question is put to a model, and how its one-letter answer is read back. */
import type { EvalItem } from './dataset';
import { letters } from './dataset';

/** The question with its lettered choices, as both modes show it. */
export function questionText(item: EvalItem): string {
  const choices = Object.entries(item.choices).map(([l, t]) => `(${l}) ${t}`);
  return `${item.question}\n\nChoices:\n${choices.join('\n')}`;
}

/** What the RLM run is asked: answer with one letter through FINAL. */
export function rlmQuestion(item: EvalItem): string {
  const ls = letters(item);
  return `${questionText(item)}\n\nThis is a multiple-choice question about the workspace. Investigate the code, then answer with exactly one letter (${ls.join(', ')}) and nothing else, in a code block: FINAL("${ls[0]}") if the answer is (${ls[0]}).`;
}

/** What the direct baseline is asked, after the pasted repository. */
export function directQuestion(item: EvalItem): string {
  const ls = letters(item);
  return `${questionText(item)}\n\nThis is a multiple-choice question about the repository above. Answer with exactly one letter (${ls.join(', ')}) and nothing else.`;
}

/**
 * The chosen letter, or undefined when the answer is malformed. Strict: after trimming, the answer
 * must be a single offered letter, optionally wrapped in quotes, backticks, parentheses, brackets
 * or bold markers and followed by a full stop ("B", "(B)", "**B**", "B."). "The answer is B", two
 * letters or a letter that is not offered are malformed, and count as wrong.
 */
export function parseLetter(answer: string | undefined, offered: string[]): string | undefined {
  if (answer === undefined) return undefined;
  const m = /^[\s"'`*([]*([A-Za-z])[\s"'`*)\]]*\.?[\s"'`*]*$/.exec(answer);
  if (!m) return undefined;
  const letter = m[1].toUpperCase();
  return offered.includes(letter) ? letter : undefined;
}
