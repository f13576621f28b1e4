/** Exports a stored run: the raw JSONL trajectory, or a readable Markdown report. */
import type { TraceEvent } from '../../core/trace/types';
import { findRefs, refKey } from '../../fileRefs';
import type { FileRef } from '../../panelProtocol';

function fence(text: string, lang = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${text}\n${f}`;
}

export function trajectoryToJsonl(events: TraceEvent[]): string {
  return events.map((e) => JSON.stringify(e)).join('\n') + '\n';
}

/** The answer's headings moved below the report's `## Answer` (a `#` becomes `###`), outside code fences. */
export function demoteHeadings(markdown: string, by = 2): string {
  let fence: string | undefined;
  return markdown
    .split('\n')
    .map((line) => {
      const f = /^ {0,3}(`{3,}|~{3,})/.exec(line);
      if (f) {
        if (fence === undefined) fence = f[1][0];
        else if (f[1][0] === fence) fence = undefined;
        return line;
      }
      if (fence !== undefined) return line;
      const h = /^( {0,3})(#{1,6})(\s)/.exec(line);
      return h ? `${h[1]}${'#'.repeat(Math.min(6, h[2].length + by))}${line.slice(h[0].length - 1)}` : line;
    })
    .join('\n');
}

/** The file references an answer cites (each once), to check before a Markdown export. A bare file
 *  name (`res.json`) may be an identifier: it is neither checked nor marked. */
export function answerRefs(events: TraceEvent[]): FileRef[] {
  const answer = [...events].reverse().find((e) => e.type === 'run.end')?.answer ?? '';
  const seen = new Map<string, FileRef>();
  for (const m of findRefs(answer)) if (!m.bare) seen.set(refKey(m.ref), m.ref);
  return [...seen.values()];
}

/** `answer` with " (unverified)" after each reference `verified` says is not in the workspace. */
function markRefs(answer: string, verified: Map<string, boolean>): string {
  let out = '';
  let at = 0;
  for (const m of findRefs(answer)) {
    const end = m.index + m.text.length;
    // A reference in `code` keeps its closing backtick before the mark.
    const tick = answer[end] === '`' ? 1 : 0;
    out += answer.slice(at, end + tick);
    if (!m.bare && verified.get(refKey(m.ref)) === false) out += ' _(unverified)_';
    at = end + tick;
  }
  return out + answer.slice(at);
}

/** `verified`: the answer's references checked against the workspace (refKey → found), when known. */
export function trajectoryToMarkdown(events: TraceEvent[], verified?: Map<string, boolean>): string {
  const start = events.find((e) => e.type === 'run.start' && e.parentId === undefined);
  const end = [...events].reverse().find((e) => e.type === 'run.end' && (e.parentId === start?.id || e.parentId === undefined));
  const out: string[] = [];
  out.push(`# RLM run: ${start?.type === 'run.start' ? start.question.replace(/\n/g, ' ') : 'unknown question'}`);
  if (start?.type === 'run.start') {
    out.push('', `- Run: ${start.runId}`, `- Started: ${new Date(start.ts).toISOString()}`, `- Models: ${start.rootModel} (root), ${start.subModel} (sub)`);
    if (start.scope) out.push(`- Scope: ${start.scope}`);
    if (start.workspace) out.push(`- Workspace: ${start.workspace.files} files`);
  }
  if (end?.type === 'run.end') {
    out.push(`- Status: ${end.status}${end.reason ? ` (${end.reason})` : ''}`, `- Iterations: ${end.iterations}, sub-calls: ${end.subcalls}`);
    out.push(`- Cost: ${end.costUsd === null ? 'unknown' : `$${end.costUsd.toFixed(4)}`}, time: ${(end.ms / 1000).toFixed(1)} s`);
    out.push('', '## Answer', '');
    if (end.answer && verified && verified.size > 0) {
      const bad = [...verified.values()].filter((ok) => !ok).length;
      out.push(`_File references checked against the workspace at export: ${verified.size - bad} found, ${bad} not found (marked "unverified")._`, '');
    }
    out.push(end.answer ? demoteHeadings(verified ? markRefs(end.answer, verified) : end.answer) : '_No answer._');
  } else {
    out.push('- Status: interrupted (the trajectory has no end)');
  }
  out.push('', '## Trajectory');
  for (const e of events) {
    switch (e.type) {
      case 'iteration.start':
        out.push('', `### Iteration ${e.iteration}/${e.maxIterations}${e.parentId !== start?.id ? ' (child run)' : ''}`);
        break;
      case 'cell.start':
        out.push('', fence(e.code, 'js'));
        break;
      case 'cell.output':
        out.push('', 'Output:', '', fence(e.output + (e.error ? `\nError: ${e.error}` : '')));
        break;
      case 'subcall.start':
        out.push('', `- ${e.kind} → ${e.model} (${e.promptChars} chars)`);
        break;
      case 'child.start':
        out.push('', `- child run at depth ${e.depth}`);
        break;
    }
  }
  return out.join('\n') + '\n';
}
