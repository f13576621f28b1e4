/**
 * Folds the trace event stream into what the panel shows: tree nodes, a usage meter, the header
 * and the outcome. Pure (no vscode), so a live run and a reopened trajectory build the same view.
 */
import type { TraceEvent } from '../../core/trace/types';
import type { NodeView, OutcomeView, RunHeaderView, UsageView } from '../../panelProtocol';

const EXCERPT = 4000;

function excerpt(text: string | undefined, max = EXCERPT): string | undefined {
  if (text === undefined) return undefined;
  return text.length > max ? `${text.slice(0, max)}\n… (${text.length - max} more characters)` : text;
}

function oneLine(text: string, max = 80): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export class TraceViewModel {
  header: RunHeaderView | undefined;
  outcome: OutcomeView = { status: 'running' };
  private readonly nodes = new Map<string, NodeView>();
  private rootId: string | undefined;
  private readonly subcallKinds = new Map<string, string>();
  private readonly subcallModels = new Map<string, string>();
  private readonly openIteration = new Map<string, { id: string; ts: number }>();
  private tokens = 0;
  private cost: number | null = 0;
  private subcalls = 0;
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
    const put = (n: NodeView) => {
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
            question: e.question,
            scope: e.scope,
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
      case 'model.response': {
        const tokens = e.usage.promptTokens + e.usage.completionTokens;
        this.addUsage(tokens, e.costUsd);
        if (e.costUsd === null) this.unpriced.add(e.model);
        put({ id: e.id, parentId, kind: 'model', title: `${e.model} replied: ${oneLine(e.text, 60)}`, body: excerpt(e.text), state: 'done', ms: e.ms, tokens, costUsd: e.costUsd });
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
        this.subcalls++;
        this.subcallKinds.set(e.id, e.kind);
        this.subcallModels.set(e.id, e.model);
        put({ id: e.id, parentId, kind: 'subcall', title: `${e.kind} → ${e.model} (${e.promptChars.toLocaleString('en-US')} chars): ${oneLine(e.prompt, 50)}`, body: excerpt(e.prompt, 1500), state: 'running' });
        break;
      case 'subcall.end': {
        const sub = this.nodes.get(e.subcallId);
        const tokens = e.usage ? e.usage.promptTokens + e.usage.completionTokens : undefined;
        // rlm_query usage is already counted by the child run's own model responses.
        if (sub && e.costUsd === null) this.unpriced.add(this.subcallModels.get(e.subcallId) ?? '');
        if (tokens !== undefined && this.subcallKinds.get(e.subcallId) !== 'rlm_query') {
          this.addUsage(tokens, e.costUsd ?? null);
          this.rollUp(sub?.parentId, tokens, e.costUsd ?? null, changed);
        }
        if (!sub) break;
        put({ ...sub, output: excerpt(e.reply), error: e.error, ms: e.ms, tokens, costUsd: e.costUsd, state: e.error ? 'error' : 'done' });
        break;
      }
      case 'child.start':
        put({ id: e.id, parentId, kind: 'child', title: `child RLM (depth ${e.depth}): ${oneLine(e.prompt, 60)}`, body: excerpt(e.prompt, 1500), state: 'running' });
        break;
      case 'run.end': {
        this.closeIteration(e.parentId ?? '', e.ts, changed);
        if (e.id === this.rootId || e.parentId === this.rootId || (this.rootId !== undefined && e.parentId === undefined)) {
          // The top run's end: either carries the run's id or hangs under it.
          this.endMs = e.ms;
          this.outcome = { status: e.status, answer: e.answer, reason: e.reason };
          let tokens = 0;
          for (const u of Object.values(e.usage)) tokens += u.promptTokens + u.completionTokens;
          this.tokens = Math.max(this.tokens, tokens);
          this.cost = e.costUsd;
          this.subcalls = Math.max(this.subcalls, e.subcalls);
          this.iterations = e.iterations;
          for (const n of this.nodes.values()) {
            if (n.state === 'running') put({ ...n, state: e.status === 'answered' || e.status === 'forced' ? 'done' : 'error' });
          }
        } else {
          const child = e.parentId !== undefined ? this.nodes.get(e.parentId) : undefined;
          if (child) put({ ...child, state: e.status === 'answered' || e.status === 'forced' ? 'done' : 'error', output: excerpt(e.answer), error: e.reason, ms: e.ms, costUsd: e.costUsd });
        }
        break;
      }
    }
    return changed;
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
      tokens: this.tokens,
      costUsd: this.cost,
      elapsedMs: this.endMs ?? (this.startTs ? Math.max(0, now - this.startTs) : 0),
      subcalls: this.subcalls,
      iterations: this.iterations,
      maxIterations: this.maxIterations,
      unpricedModels: this.cost === null ? [...this.unpriced].filter(Boolean) : undefined,
    };
  }

  private addUsage(tokens: number, cost: number | null): void {
    this.tokens += tokens;
    this.cost = this.cost === null || cost === null ? null : this.cost + cost;
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
