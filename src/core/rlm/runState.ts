import { RlmError } from '../errors';
import { ConcurrencyLimiter } from '../llm/limiter';
import type { PriceTable, TokenUsage } from '../llm/types';
import { UsageMeter } from '../llm/usage';
import { TraceEmitter } from '../trace/emitter';
import { TraceEventFactory } from '../trace/ids';
import type { RunStatus, TraceEvent } from '../trace/types';
import type { Budgets } from './types';

/** Child RLM runs at one depth at once: each holds a sandbox process. */
export const CHILD_RUNS_PER_DEPTH = 4;

type EventInput = TraceEvent extends infer E ? (E extends TraceEvent ? Omit<E, 'id' | 'ts'> : never) : never;

/** State shared by a run and all its child runs: budgets, usage, the sub-call limiter, the event
 *  stream, and the one reason the whole run tree stops. */
export class RunState {
  readonly usage: UsageMeter;
  readonly limiter: ConcurrencyLimiter;
  readonly controller = new AbortController();
  readonly startedAt = Date.now();
  subcalls = 0;
  stop?: { status: RunStatus; reason: string };
  private readonly factory = new TraceEventFactory();
  private readonly emitter: TraceEmitter;
  private readonly childLimiters = new Map<number, ConcurrencyLimiter>();
  private wallTimer?: NodeJS.Timeout;
  private readonly detach: () => void;

  constructor(
    readonly runId: string,
    readonly budgets: Budgets,
    readonly prices: PriceTable,
    onEvent: ((e: TraceEvent) => void) | undefined,
    secrets: string[],
    outer?: AbortSignal,
  ) {
    // Every event leaves through the emitter: redacted once (keys and auth headers never reach a
    // trace), and a listener that throws cannot end the run.
    this.emitter = new TraceEmitter(secrets);
    if (onEvent) this.emitter.on(onEvent);
    this.usage = new UsageMeter(prices);
    this.limiter = new ConcurrencyLimiter(budgets.concurrency);
    // An abort whose reason is an RlmError coded 'interrupted' (the editor closing or reloading) is
    // recorded as interrupted, with that reason; any other abort is the user's cancel.
    const cancel = () => {
      const why = outer?.reason;
      if (why instanceof RlmError && why.code === 'interrupted') this.halt('interrupted', why.message);
      else this.halt('cancelled', 'Cancelled by the user.');
    };
    if (outer?.aborted) cancel();
    outer?.addEventListener('abort', cancel, { once: true });
    this.detach = () => outer?.removeEventListener('abort', cancel);
    if (Number.isFinite(budgets.maxWallMs)) {
      this.wallTimer = setTimeout(
        () => this.halt('budget', `Wall-time budget of ${Math.round(budgets.maxWallMs / 1000)} s used up.`),
        budgets.maxWallMs,
      );
      this.wallTimer.unref?.();
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Ends the whole run tree (first reason wins) and aborts every model call and cell in it. */
  halt(status: RunStatus, reason: string): void {
    if (this.stop) return;
    this.stop = { status, reason };
    this.controller.abort(new RlmError(reason, status));
  }

  /** Throws the stop reason if the run tree has stopped. */
  check(): void {
    if (this.stop) throw new RlmError(this.stop.reason, this.stop.status);
  }

  /** Emits a trace event (id and timestamp added) and returns its id. */
  emit<E extends EventInput>(event: E): string {
    const { type, parentId, ...fields } = event as E & { parentId?: string };
    return this.emitter.emit(this.factory.make(type, parentId, fields as never)).id;
  }

  /** Counts one sub-call against the budget; throws (and stops the run tree) past it. */
  chargeSubcall(): void {
    this.check();
    if (this.subcalls >= this.budgets.maxSubcalls) {
      this.halt('budget', `Sub-call budget of ${this.budgets.maxSubcalls} used up.`);
      this.check();
    }
    this.subcalls++;
  }

  /** Adds a model call's usage and enforces the token and cost budgets. Returns the call's cost. */
  record(model: string, usage: TokenUsage, estimated = false): number | null {
    this.usage.record(model, usage, estimated);
    const totals = this.usage.totals();
    const tokens = totals.promptTokens + totals.completionTokens;
    if (tokens > this.budgets.maxTokens) {
      this.halt('budget', `Token budget of ${this.budgets.maxTokens.toLocaleString('en-US')} used up (${tokens.toLocaleString('en-US')} tokens).`);
    }
    const cost = this.usage.totalCost();
    if (cost !== null && cost > this.budgets.maxCostUsd) {
      this.halt('budget', `Cost budget of $${this.budgets.maxCostUsd} used up ($${cost.toFixed(4)}).`);
    }
    return this.usage.costOf(model, usage);
  }

  /** Child runs at one depth that may run at once (each has its own sandbox process). */
  childSlots(depth: number): ConcurrencyLimiter {
    let limiter = this.childLimiters.get(depth);
    if (!limiter) {
      limiter = new ConcurrencyLimiter(Math.min(CHILD_RUNS_PER_DEPTH, this.budgets.concurrency));
      this.childLimiters.set(depth, limiter);
    }
    return limiter;
  }

  /** The run has returned: nothing of it may keep working (a child left running by a cell that
   *  did not await it, a queued sub-call). Aborts without changing the outcome. */
  dispose(): void {
    clearTimeout(this.wallTimer);
    this.detach();
    if (!this.controller.signal.aborted) this.controller.abort(new RlmError('The run has ended.', 'ended'));
  }
}
