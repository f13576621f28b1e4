/** summary.json and report.md (with chart.svg beside it) from an evaluation's results. */
import { basename } from 'node:path';
import { formatCost } from '../llm/usage';
import { MODE_LABEL } from './chart';
import type { EvalItem } from './dataset';
import { DIRECT_ORDER } from './direct';
import { type Mode, type QuestionResult, resultKey } from './results';
import type { EvalSettings } from './settings';
import type { ModeSummary } from './stats';

export const REPORT_FILE = 'report.md';
export const SUMMARY_FILE = 'summary.json';
export const CHART_FILE = 'chart.svg';

/** The paper's CodeQA row (LongBench-v2 code repositories; GPT-5 root, GPT-5-mini sub-calls). */
export const PAPER_REFERENCE = 'GPT-5 alone 24.0%; RLM(GPT-5) 62.0% at about $0.11 a question';

export interface ReportInput {
  settings: EvalSettings;
  items: EvalItem[];
  /** Results of this dataset's current questions, by resultKey. */
  results: Map<string, QuestionResult>;
  summaries: ModeSummary[];
  /** Every question was finished in every mode asked. */
  complete: boolean;
  finishedAt: Date;
}

export function summaryJson(r: ReportInput): string {
  const modes: Record<string, ModeSummary> = {};
  for (const s of r.summaries) modes[s.mode] = s;
  return `${JSON.stringify({ complete: r.complete, questions: r.items.length, settings: r.settings, modes, finishedAt: r.finishedAt.toISOString() }, null, 2)}\n`;
}

export function reportMarkdown(r: ReportInput): string {
  const s = r.settings;
  const b = s.budgets;
  const modes = r.summaries.map((m) => m.mode);
  const finished = r.summaries.reduce((n, m) => n + m.questions, 0);
  const wanted = r.items.length * s.modes.length;
  const out: string[] = [];
  out.push(`# RLM evaluation: ${cell(basename(s.dataset))}`, '');
  if (!r.complete) out.push(`> **Partial**: ${finished} of ${wanted} question runs finished. Rerun the same command (same \`--out\`) to resume; finished questions are not asked again.`, '');
  out.push('| | |', '|---|---|');
  out.push(`| dataset | \`${cell(s.dataset)}\` (${r.items.length} questions) |`);
  out.push(`| models | root \`${cell(s.rootModel)}\`, sub-calls \`${cell(s.subModel)}\`${s.endpoint ? ` at ${cell(s.endpoint)}` : ''} |`);
  out.push(`| budgets per question | ${b.maxIterations} turns, depth ${b.maxDepth}, ${b.maxSubcalls} sub-calls, ${b.maxTokens.toLocaleString('en-US')} tokens, ${b.maxCostUsd === null || !Number.isFinite(b.maxCostUsd) ? 'no cost cap' : `$${b.maxCostUsd}`}, ${Math.round(b.maxWallMs / 1000)} s |`);
  if (s.modes.includes('direct')) {
    out.push(`| direct baseline | the root model asked once: ${DIRECT_ORDER}, cut at ${s.directChars.toLocaleString('en-US')} characters (≈ ${Math.round(s.directChars / 4).toLocaleString('en-US')} tokens), then the question |`);
  }
  out.push(`| finished | ${r.finishedAt.toISOString().replace(/\.\d+Z$/, 'Z')} |`, '');

  out.push('## Summary', '');
  out.push('| mode | questions | correct | accuracy | 95% interval | malformed | no answer | cost | cost / question | cost / correct | median turns | median sub-calls | median time |');
  out.push('|---|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const m of r.summaries) {
    out.push(`| ${label(m.mode)} | ${m.questions} | ${m.correct} | ${pct(m.accuracy)} | ${m.ci95 ? `${pct(m.ci95.low)} – ${pct(m.ci95.high)}` : '—'} | ${m.malformed} | ${m.noAnswer} | ${money(m.costUsd)} | ${money(m.costPerQuestion)} | ${m.correct ? money(m.costPerCorrect) : '—'} | ${num(m.medianTurns)} | ${num(m.medianSubcalls)} | ${secs(m.medianMs)} |`);
  }
  out.push('', `![Accuracy vs cost per question, one point per mode](${CHART_FILE})`, '');
  out.push(`Reference to beat — the paper, on CodeQA (LongBench-v2 multiple-choice questions over code repositories), GPT-5 with GPT-5-mini sub-calls: ${PAPER_REFERENCE}.`, '');

  out.push('## Tokens per model', '', '| mode | model | calls | prompt tokens | completion tokens |', '|---|---|--:|--:|--:|');
  for (const m of r.summaries) {
    for (const [model, u] of Object.entries(m.usage)) out.push(`| ${label(m.mode)} | \`${cell(model)}\` | ${u.calls} | ${u.promptTokens.toLocaleString('en-US')} | ${u.completionTokens.toLocaleString('en-US')} |`);
  }
  out.push('');

  const tags = [...new Set(r.summaries.flatMap((m) => Object.keys(m.tags)))].sort();
  if (tags.length) {
    out.push('## By tag', '', `| tag | ${modes.map(label).join(' | ')} |`, `|---|${modes.map(() => '--:').join('|')}|`);
    for (const tag of tags) {
      const cells = r.summaries.map((m) => (m.tags[tag] ? `${m.tags[tag].correct}/${m.tags[tag].questions}` : '—'));
      out.push(`| ${cell(tag)} | ${cells.join(' | ')} |`);
    }
    out.push('');
  }

  out.push('## Questions', '', `| question | correct letter | ${modes.map(label).join(' | ')} | tags |`, `|---|:-:|${modes.map(() => ':-:').join('|')}|---|`);
  for (const item of r.items) {
    const cells = modes.map((mode) => verdict(r.results.get(resultKey({ mode, id: item.id }))));
    out.push(`| ${cell(item.id)} | ${item.answer} | ${cells.join(' | ')} | ${cell(item.tags.join(', '))} |`);
  }
  out.push('');

  for (const mode of modes) {
    out.push(`## Details: ${label(mode)}`, '');
    out.push('| question | status | letter | correct | turns | sub-calls | tokens per model (prompt + completion) | cost | time | trace |');
    out.push('|---|---|:-:|:-:|--:|--:|---|--:|--:|---|');
    for (const item of r.items) {
      const q = r.results.get(resultKey({ mode, id: item.id }));
      if (!q) {
        out.push(`| ${cell(item.id)} | not run yet | | | | | | | | |`);
        continue;
      }
      const tokens = Object.entries(q.usage).map(([m, u]) => `${cell(m)}: ${u.promptTokens.toLocaleString('en-US')} + ${u.completionTokens.toLocaleString('en-US')}`).join('<br>');
      const status = q.reason ? `${q.status}: ${cell(shorten(q.reason, 120))}` : q.status;
      const letter = q.letter ?? (q.malformed ? 'malformed' : '—');
      const pasted = q.pasted ? ` (${q.pasted.included}/${q.pasted.files} files${q.pasted.cut ? ', cut' : ''})` : '';
      out.push(`| ${cell(item.id)} | ${status}${pasted} | ${letter} | ${q.correct ? 'yes' : 'no'} | ${q.turns} | ${q.subcalls} | ${tokens || '—'} | ${money(q.costUsd)} | ${secs(q.ms)} | [trace](${encodeURI(q.trace)}) |`);
    }
    out.push('');
  }
  out.push('Columns: *malformed* = an answer that was not one offered letter (counted wrong); *no answer* = the run failed or ran out of budget (counted wrong); the 95% interval is Wilson\'s; cost is unknown when a model has no price (`--price`).', '');
  return out.join('\n');
}

function verdict(q: QuestionResult | undefined): string {
  if (!q) return '…';
  if (q.letter) return `${q.letter} ${q.correct ? '✓' : '✗'}`;
  return q.malformed ? 'malformed ✗' : `${q.status} ✗`;
}

function label(mode: Mode): string {
  return MODE_LABEL[mode] ?? mode;
}

/** Text for a Markdown table cell: no pipes, newlines or HTML. */
function cell(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function shorten(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const money = (x: number | null) => (x === null ? 'unknown' : formatCost(x));
const num = (x: number | null) => (x === null ? '—' : String(Math.round(x * 10) / 10));
const secs = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);
