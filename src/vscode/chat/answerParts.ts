/** An answer split for VS Code's Chat: Markdown text, and the file references in it that may become
 *  anchors once verified. Pure (imports no `vscode`): unit-tested. References inside fenced code or a
 *  longer inline code span stay text (cutting a code span would break its Markdown); a reference that
 *  is a code span of its own (`src/a.ts:3`) is replaced whole, backticks included. */
import { findRefs } from '../../fileRefs';
import type { FileRef } from '../../panelProtocol';

export type AnswerPart = { kind: 'markdown'; text: string } | { kind: 'ref'; ref: FileRef; source: string };

/** [start, end) ranges of fenced code blocks and inline code spans. */
function codeRanges(text: string): [number, number][] {
  const ranges: [number, number][] = [];
  const fence = /^ {0,3}(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^ {0,3}\1[^\n]*$|(?![\s\S]))/gm;
  for (const m of text.matchAll(fence)) ranges.push([m.index!, m.index! + m[0].length]);
  const inFence = (i: number) => ranges.some(([s, e]) => i >= s && i < e);
  for (const m of text.matchAll(/(`+)(?!`)[\s\S]*?[^`]\1(?!`)/g)) {
    if (!inFence(m.index!)) ranges.push([m.index!, m.index! + m[0].length]);
  }
  return ranges;
}

export function answerParts(answer: string): AnswerPart[] {
  const code = codeRanges(answer);
  const parts: AnswerPart[] = [];
  let last = 0;
  const text = (end: number) => {
    if (end > last) parts.push({ kind: 'markdown', text: answer.slice(last, end) });
  };
  for (const m of findRefs(answer)) {
    let start = m.index;
    let end = m.index + m.text.length;
    const span = code.find(([s, e]) => start >= s && start < e);
    if (span) {
      // Only a span that is exactly `ref` becomes an anchor.
      if (span[0] !== start - 1 || span[1] !== end + 1) continue;
      start--;
      end++;
    }
    if (start < last) continue;
    text(start);
    parts.push({ kind: 'ref', ref: m.ref, source: answer.slice(start, end) });
    last = end;
  }
  text(answer.length);
  return parts;
}

/** The 0-based line range an anchor selects (the whole first line of a one-line reference). */
export function refLines(ref: FileRef): { start: number; end: number } | undefined {
  if (ref.line === undefined) return undefined;
  return { start: ref.line - 1, end: (ref.endLine ?? ref.line) - 1 };
}
