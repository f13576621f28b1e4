/** Exports a stored run: the raw JSONL trajectory, or a readable Markdown report. */
import type { TraceEvent } from '../../core/trace/types';

function fence(text: string, lang = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${text}\n${f}`;
}

export function trajectoryToJsonl(events: TraceEvent[]): string {
  return events.map((e) => JSON.stringify(e)).join('\n') + '\n';
}

export function trajectoryToMarkdown(events: TraceEvent[]): string {
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
    out.push('', '## Answer', '', end.answer ?? '_No answer._');
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
