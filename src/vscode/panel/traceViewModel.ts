/**
 * Folds the trace event stream into what the panel shows: tree nodes, a usage meter, the header
 * and the outcome. Pure (no vscode), so a live run and a reopened trajectory build the same view.
 * The one place that links events into the recursion tree (by parentId; end events fold into their
 * start). Usage is not added up here: the run's totals arrive on the events (RunTotal, run.end).
 */
import { shorten } from '../../core/shorten';
import { visible } from '../../core/text/visible';
import type { ChildEndEvent, RunEndEvent, RunTotal, TraceEvent } from '../../core/trace/types';
import type { NodeView, Outcome, RunHeaderView, UsageView } from '../../panelProtocol';

const EXCERPT = 4000;

function excerpt(text: string | undefined, max = EXCERPT): string | undefined {
  if (text === undefined) return undefined;
  return text.length > max ? `${text.slice(0, max)}\n… (${text.length - max} more characters)` : text;
}

const oneLine = (text: string, max = 80): string => shorten(text, max);

export class TraceViewModel {
  header: RunHeaderView | undefined;
  /** Undefined while the run works. */
  outcome: Outcome | undefined;
  private readonly nodes = new Map<string, NodeView>();
  /** Id of the top run.start (its iterations are the run's own). */
  rootId: string | undefined;
  private readonly subcallKinds = new Map<string, string>();
  private readonly subcallModels = new Map<string, string>();
  private readonly openIteration = new Map<string, { id: string; ts: number }>();
  /** Iteration id -> the node its streaming reply shows in; the model.response then settles that node. */
  private readonly streams = new Map<string, string>();
  private total: RunTotal = { tokens: 0, costUsd: 0, subcalls: 0 };
  private iterations = 0;
  private maxIterations: number | undefined;
  /** Models that answered without a known price. */
  private readonly unpriced = new Set<string>();
  private startTs = 0;
  private lastTs = 0;
  private endMs: number | undefined;

  get ended(): boolean {
    return this.endMs !== undefined;
  }

  /** Applies one event; returns the nodes it created or changed. */
  apply(e: TraceEvent): NodeView[] {
    this.lastTs = Math.max(this.lastTs, e.ts);
    const parentId = e.parentId === this.rootId ? undefined : e.parentId;
    const changed: NodeView[] = [];
    const put = (node: NodeView) => {
      const n = shown(node);
      this.nodes.set(n.id, n);
      changed.push(n);
    };
    switch (e.type) {
      case 'run.start':
        if (this.rootId === undefined && e.parentId === undefined) {
          this.rootId = e.id;
          this.startTs = e.ts;
          this.header = {
            runId: e.runId,
            question: visible(e.question),
            scope: optional(e.scope),
            startedAt: e.ts,
            rootModel: e.rootModel,
            subModel: e.subModel,
          };
        } else {
          put({ id: e.id, parentId, kind: 'run', title: `child run (depth ${e.depth}): ${oneLine(e.question)}`, body: excerpt(e.question), state: 'running' });
        }
        break;
      case 'iteration.start': {
        this.closeIteration(e.parentId ?? '', e.ts, changed);
        this.openIteration.set(e.parentId ?? '', { id: e.id, ts: e.ts });
        if (parentId === undefined) {
          this.iterations = Math.min(e.iteration, e.maxIterations);
          this.maxIterations = e.maxIterations;
        }
        // The call after the last iteration only asks for the answer (rootLoop's forced call).
        const title = e.iteration > e.maxIterations ? `Forced answer (all ${e.maxIterations} iterations used)` : `Iteration ${e.iteration}/${e.maxIterations}`;
        put({ id: e.id, parentId, kind: 'iteration', title, state: 'running', iteration: e.iteration, tokens: 0, costUsd: 0 });
        break;
      }
      case 'model.delta': {
        const key = e.parentId ?? '';
        let id = this.streams.get(key);
        if (id === undefined) this.streams.set(key, (id = `${e.id}.reply`));
        const more = e.chars - Math.min(e.text.length, EXCERPT);
        const body = e.text.slice(0, EXCERPT) + (more > 0 ? `\n… (${more} more characters so far)` : '');
        put({ id, parentId, kind: 'model', title: `${e.model} is replying: ${oneLine(e.text, 60)}`, body, state: 'running' });
        break;
      }
      case 'model.retry':
        break; // the panel's status line says it (LiveRun); the tree shows calls, not attempts
      case 'model.response': {
        const tokens = e.usage.promptTokens + e.usage.completionTokens;
        if (e.total) this.total = e.total;
        if (e.costUsd === null) this.unpriced.add(e.model);
        // A streamed reply settles the node its text grew in.
        const id = this.streams.get(e.parentId ?? '') ?? e.id;
        this.streams.delete(e.parentId ?? '');
        put({ id, parentId, kind: 'model', title: `${e.model} replied${e.cached ? ' (cached)' : ''}: ${oneLine(e.text, 60)}`, body: excerpt(e.text), state: 'done', ms: e.ms, tokens, costUsd: e.costUsd });
        this.rollUp(parentId, tokens, e.costUsd, changed);
        break;
      }
      case 'cell.start':
        put({ id: e.id, parentId, kind: 'cell', title: oneLine(firstCodeLine(e.code)), body: excerpt(e.code), state: 'running' });
        break;
      case 'cell.output': {
        const cell = this.nodes.get(e.cellId);
        if (!cell) break;
        const error = e.killed ? `killed: ${e.killed}${e.error ? ` — ${e.error}` : ''}` : e.error;
        put({ ...cell, output: excerpt(e.output), error, ms: e.ms, state: error ? 'error' : 'done', title: e.final ? `${cell.title}  ✓ final` : cell.title });
        break;
      }
      case 'subcall.start':
        this.subcallKinds.set(e.id, e.kind);
        this.subcallModels.set(e.id, e.model);
        put({ id: e.id, parentId, kind: 'subcall', title: `${e.kind}${e.label !== undefined ? ` [${oneLine(e.label, 60)}]` : ''} → ${e.model} (${e.promptChars.toLocaleString('en-US')} chars): ${oneLine(e.prompt, 50)}`, body: excerpt(e.prompt, 1500), state: 'running' });
        break;
      case 'subcall.end': {
        const sub = this.nodes.get(e.subcallId);
        const tokens = e.usage ? e.usage.promptTokens + e.usage.completionTokens : undefined;
        if (e.total) this.total = e.total;
        // rlm_query usage is already counted by the child run's own model responses.
        if (sub && e.costUsd === null) this.unpriced.add(this.subcallModels.get(e.subcallId) ?? '');
        if (tokens !== undefined && this.subcallKinds.get(e.subcallId) !== 'rlm_query') {
          this.rollUp(sub?.parentId, tokens, e.costUsd ?? null, changed);
        }
        if (!sub) break;
        put({ ...sub, title: e.cached ? `${sub.title}  · cached` : sub.title, output: excerpt(e.reply), error: e.error, ms: e.ms, tokens, costUsd: e.costUsd, state: e.error ? 'error' : 'done' });
        break;
      }
      case 'child.start':
        put({ id: e.id, parentId, kind: 'child', title: `child RLM (depth ${e.depth}): ${oneLine(e.prompt, 60)}`, body: excerpt(e.prompt, 1500), state: 'running' });
        break;
      case 'child.end':
        this.endChild(e, changed);
        break;
      case 'run.end':
        // Trajectories written before child.end existed end child runs with a run.end under their child.start.
        if (e.parentId !== undefined && e.parentId !== this.rootId) this.endChild(e, changed);
        else {
          this.closeIteration(e.parentId ?? '', e.ts, changed);
          this.endRun(e, put);
        }
        break;
    }
    return changed;
  }

  /** The top run's end: its outcome and final figures; whatever still runs is settled. */
  private endRun(e: RunEndEvent, put: (n: NodeView) => void): void {
    this.endMs = e.ms;
    this.outcome = { status: e.status, answer: optional(e.answer), reason: optional(e.reason) };
    let tokens = 0;
    for (const u of Object.values(e.usage)) tokens += u.promptTokens + u.completionTokens;
    this.total = { tokens, costUsd: e.costUsd, subcalls: e.subcalls, saved: e.saved };
    this.iterations = e.iterations;
    for (const n of this.nodes.values()) {
      if (n.state === 'running') put({ ...n, state: e.status === 'answered' || e.status === 'forced' ? 'done' : 'error' });
    }
  }

  private endChild(e: ChildEndEvent | RunEndEvent, changed: NodeView[]): void {
    this.closeIteration(e.parentId ?? '', e.ts, changed);
    const child = e.parentId !== undefined ? this.nodes.get(e.parentId) : undefined;
    if (!child) return;
    const updated: NodeView = { ...child, state: e.status === 'answered' || e.status === 'forced' ? 'done' : 'error', output: excerpt(e.answer), error: e.reason, ms: e.ms, costUsd: e.costUsd };
    this.nodes.set(updated.id, updated);
    changed.push(updated);
  }

  /** Marks the run as cut off (crash or reload mid-run). */
  markInterrupted(reason: string): NodeView[] {
    if (this.ended) return [];
    this.outcome = { status: 'interrupted', reason };
    this.endMs = this.lastTs - this.startTs;
    const changed: NodeView[] = [];
    for (const n of this.nodes.values()) {
      if (n.state === 'running') {
        const m = { ...n, state: 'error' as const };
        this.nodes.set(n.id, m);
        changed.push(m);
      }
    }
    return changed;
  }

  allNodes(): NodeView[] {
    return [...this.nodes.values()];
  }

  usage(now = Date.now()): UsageView {
    return {
      tokens: this.total.tokens,
      costUsd: this.total.costUsd,
      elapsedMs: this.endMs ?? (this.startTs ? Math.max(0, now - this.startTs) : 0),
      subcalls: this.total.subcalls,
      iterations: this.iterations,
      maxIterations: this.maxIterations,
      unpricedModels: this.total.costUsd === null ? [...this.unpriced].filter(Boolean) : undefined,
      saved: this.total.saved,
    };
  }

  /** Adds a model call's usage to every node above it (cell, iteration, sub-call, child run) for per-node totals. */
  private rollUp(parentId: string | undefined, tokens: number, cost: number | null, changed: NodeView[]): void {
    let id = parentId;
    let guard = 0;
    while (id !== undefined && guard++ < 64) {
      const n = this.nodes.get(id);
      if (!n) break;
      if (n.kind !== 'model') {
        const updated: NodeView = {
          ...n,
          tokens: (n.tokens ?? 0) + tokens,
          costUsd: n.costUsd === null || cost === null ? null : (n.costUsd ?? 0) + cost,
        };
        this.nodes.set(id, updated);
        const at = changed.findIndex((c) => c.id === id);
        if (at >= 0) changed[at] = updated;
        else changed.push(updated);
      }
      id = n.parentId;
    }
  }

  private closeIteration(runKey: string, ts: number, changed: NodeView[]): void {
    const open = this.openIteration.get(runKey);
    if (!open) return;
    this.openIteration.delete(runKey);
    const n = this.nodes.get(open.id);
    if (!n) return;
    const updated: NodeView = { ...n, ms: ts - open.ts, state: n.state === 'running' ? 'done' : n.state };
    this.nodes.set(open.id, updated);
    changed.push(updated);
  }
}

function firstCodeLine(code: string): string {
  const line = code.split('\n').find((l) => l.trim() && !l.trim().startsWith('//'));
  return line ?? code.split('\n')[0] ?? '';
}

const optional = (text: string | undefined) => (text === undefined ? undefined : visible(text));

/** Model, endpoint and file text as the panel shows it: invisible characters made visible. */
function shown(n: NodeView): NodeView {
  const out: NodeView = { ...n, title: visible(n.title) };
  if (n.body !== undefined) out.body = visible(n.body);
  if (n.output !== undefined) out.output = visible(n.output);
  if (n.error !== undefined) out.error = visible(n.error);
  return out;
}
