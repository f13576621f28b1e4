/**
 * What the tree writes about a node beyond its own title, derived from the nodes alone (pure: no DOM,
 * unit-tested): the one-line summary of a collapsed iteration, a model reply without the code its
 * CODE nodes already show, and the kind label of a row.
 */
import type { NodeView } from '../src/panelProtocol';

/** Workspace and sub-model functions of the REPL, in the order a summary names them. */
const API = ['readFile', 'grep', 'llm_query', 'llm_batch', 'rlm_query', 'FINAL', 'FINAL_VAR'] as const;
const CALL = new RegExp(String.raw`\b(${API.join('|')})\s*\(`, 'g');

/** `grep ×2, llm_query` for the REPL functions `code` calls (in API order); empty when it calls none. */
export function callsIn(codes: string[]): string {
  const counts = new Map<string, number>();
  for (const code of codes) for (const m of code.matchAll(CALL)) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
  return API.filter((name) => counts.has(name))
    .map((name) => (counts.get(name)! > 1 ? `${name} ×${counts.get(name)}` : name))
    .join(', ');
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * One line for a collapsed iteration: what its code called, how much it printed, its sub-calls and
 * errors, e.g. `grep, llm_query · 4 lines printed · 1 sub-call · 1 error`. `children` are the
 * iteration's direct children; `descendants` every node below it (sub-calls hang under cells).
 */
export function iterationSummary(children: NodeView[], descendants: NodeView[]): string {
  const cells = children.filter((n) => n.kind === 'cell');
  const parts: string[] = [];
  if (cells.length === 0) {
    const model = children.find((n) => n.kind === 'model');
    return model?.body ? 'no code: the model replied in prose' : '';
  }
  const calls = callsIn(cells.map((c) => c.body ?? ''));
  parts.push(calls || plural(cells.length, 'code cell'));
  const printed = cells.reduce((sum, c) => sum + (c.output ? c.output.split('\n').filter((l) => l.trim()).length : 0), 0);
  if (printed > 0) parts.push(`${plural(printed, 'line')} printed`);
  const subcalls = descendants.filter((n) => n.kind === 'subcall' || n.kind === 'child').length;
  if (subcalls > 0) parts.push(plural(subcalls, 'sub-call'));
  const errors = [...children, ...descendants].filter((n, i, all) => n.state === 'error' && all.indexOf(n) === i).length;
  if (errors > 0) parts.push(plural(errors, 'error'));
  if (cells.some((c) => c.title.endsWith('✓ final'))) parts.push('final answer');
  return parts.join(' · ');
}

const FENCE = /```[^\n]*\n[\s\S]*?(?:```|$)/g;

/**
 * A model reply as its MODEL node shows it when CODE nodes below show the code: fenced blocks are
 * replaced by a one-line pointer, so the code appears once. Undefined when nothing but code is left.
 */
export function proseOf(reply: string): string | undefined {
  let blocks = 0;
  const prose = reply.replace(FENCE, () => {
    blocks++;
    return '\n';
  });
  if (blocks === 0) return reply;
  const text = prose.replace(/\n{3,}/g, '\n\n').trim();
  const pointer = `(${plural(blocks, 'code block')}: shown in the CODE ${blocks === 1 ? 'node' : 'nodes'} below)`;
  return text ? `${text}\n\n${pointer}` : pointer;
}

/** The sub-call kind (`llm_query`, `llm_batch`, `rlm_query`) a sub-call title starts with. */
export function subcallKind(title: string): string | undefined {
  return /^(llm_query|llm_batch|rlm_query)\b/.exec(title)?.[1];
}
