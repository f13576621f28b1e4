import { RlmError } from '../errors';
import { modelSlots } from '../llm/modelSlots';
import type { PriceTable, TokenUsage } from '../llm/types';
import { costCapProblem, UsageMeter } from '../llm/usage';
import { Semaphore } from '../semaphore';
import { SandboxTree } from '../sandbox/sandboxTree';
import { TraceEmitter } from '../trace/emitter';
import { TraceEventFactory } from '../trace/ids';
import type { RunStatus, RunTotal, Saved, TraceEvent } from '../trace/types';
import type { Budgets } from './types';

/** Child RLM runs at one depth at once: each holds a sandbox process. */
export const CHILD_RUNS_PER_DEPTH = 4;

type EventInput = TraceEvent extends infer E ? (E extends TraceEvent ? Omit<E, 'id' | 'ts'> : never) : never;

/** State shared by a run and all its child runs: budgets, usage, the model-call slots, the event
 *  stream, and the one reason the whole run tree stops. */
export class RunState {
  readonly usage: UsageMeter;
  /** Sub-model calls in flight across the run tree (budgets.concurrency). */
  readonly modelSlots: Semaphore;
  readonly controller = new AbortController();
  /** The sandbox processes of this run tree, for the tree-wide memory budget. */
  readonly sandboxes = new SandboxTree();
  readonly startedAt = Date.now();
  subcalls = 0;
  modelRequests = 0;
  /** What cached and replayed replies did not cost. */
  readonly saved: Saved = { tokens: 0, costUsd: 0 };
  stop?: { status: RunStatus; reason: string };
  private readonly factory = new TraceEventFactory();
  private readonly emitter: TraceEmitter;
  private readonly childSlotsByDepth = new Map<number, Semaphore>();
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
    this.modelSlots = modelSlots(budgets.concurrency);
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

  /** True when one more root turn fits: the run goes on and the model-request budget has room
   *  (the token, cost and time budgets are checked as that turn runs). */
  hasRoomForTurn(): boolean {
    return !this.stop && this.modelRequests < this.budgets.maxModelRequests;
  }

  /** Throws the stop reason if the run tree has stopped. */
  check(): void {
    if (this.stop) throw new RlmError(this.stop.reason, this.stop.status);
  }

  /** Emits a trace event (id and timestamp added) and returns its id. */
  emit<E extends EventInput>(event: E): string {
    return this.send(event).id;
  }

  /** Emits a trace event and returns it as every listener saw it (redacted). */
  send<E extends EventInput>(event: E): Extract<TraceEvent, { type: E['type'] }> {
    const { type, parentId, ...fields } = event as E & { parentId?: string };
    return this.emitter.emit(this.factory.make(type, parentId, fields as never)) as Extract<TraceEvent, { type: E['type'] }>;
  }

  /** The run tree's totals so far, as model.response and subcall.end carry them. */
  total(): RunTotal {
    const t = this.usage.totals();
    const total: RunTotal = { tokens: t.promptTokens + t.completionTokens, costUsd: this.usage.totalCost(), subcalls: this.subcalls };
    if (this.saved.tokens > 0) total.saved = { ...this.saved };
    return total;
  }

  /** Adds a cached (or replayed) reply's usage to what the run saved; no budget is charged. Returns what it saved. */
  recordSaved(model: string, usage: TokenUsage): Saved {
    const tokens = usage.promptTokens + usage.completionTokens;
    const costUsd = this.usage.costOf(model, usage);
    this.saved.tokens += tokens;
    this.saved.costUsd = this.saved.costUsd === null || costUsd === null ? null : this.saved.costUsd + costUsd;
    return { tokens, costUsd };
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

  /** Counts one model request (root turn at any depth, or sub-call) before it is sent; throws (and
   *  stops the run tree) past the budget, so the endpoint never sees more than the budget. */
  chargeModelRequest(): void {
    this.check();
    if (this.modelRequests >= this.budgets.maxModelRequests) {
      this.halt('budget', `Model-request budget of ${this.budgets.maxModelRequests.toLocaleString('en-US')} used up (every model request of the run counts, child runs' turns included).`);
      this.check();
    }
    this.modelRequests++;
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
    // An unknown price would turn the cap off without a word: stop instead (runRlm refuses such a
    // run at start, so this only guards models that slip past that check).
    const unpriced = costCapProblem(this.budgets.maxCostUsd, this.prices, [model]);
    if (unpriced) this.halt('budget', unpriced);
    if (cost !== null && cost > this.budgets.maxCostUsd) {
      this.halt('budget', `Cost budget of $${this.budgets.maxCostUsd} used up ($${cost.toFixed(4)}).`);
    }
    return this.usage.costOf(model, usage);
  }

  /** Child runs at one depth that may run at once (each has its own sandbox process). */
  childSlots(depth: number): Semaphore {
    let slots = this.childSlotsByDepth.get(depth);
    if (!slots) {
      slots = modelSlots(Math.min(CHILD_RUNS_PER_DEPTH, this.budgets.concurrency));
      this.childSlotsByDepth.set(depth, slots);
    }
    return slots;
  }

  /** The run has returned: nothing of it may keep working (a child left running by a cell that
   *  did not await it, a queued sub-call). Aborts without changing the outcome. */
  dispose(): void {
    clearTimeout(this.wallTimer);
    this.detach();
    if (!this.controller.signal.aborted) this.controller.abort(new RlmError('The run has ended.', 'ended'));
  }
}
