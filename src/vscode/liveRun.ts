/** A run in progress as a panel feed: folds events into the view model and pushes batched updates. */
import * as vscode from 'vscode';
import type { TraceEvent } from '../core/trace/types';
import type { EstimateMessage, InitMessage, NodeView, NodesMessage, NoticeMessage, Outcome, OutcomeMessage, RunHeaderView, StatusMessage } from '../panelProtocol';
import { panelTitle } from '../runLabel';
import type { PanelFeed } from './panel/runPanel';
import { RefVerifier } from './panel/refVerifier';
import { RunActivity } from './panel/runActivity';
import { TraceViewModel } from './panel/traceViewModel';

/** Node updates (a streaming reply's text included) reach the webview at most this often. */
const FLUSH_MS = 80;
/** The status line is worded again this often while the run is live. */
const STATUS_MS = 1000;

type FeedMessage = NodesMessage | OutcomeMessage | NoticeMessage | EstimateMessage | StatusMessage;

export class LiveRun implements PanelFeed {
  readonly vm = new TraceViewModel();
  verifier = new RefVerifier();
  private readonly listeners = new Set<(msg: FeedMessage) => void>();
  private noticeText: string | undefined;
  private estimateText: string | undefined;
  private readonly pending = new Map<string, NodeView>();
  private timer: NodeJS.Timeout | undefined;
  private finalOutcome: Outcome | undefined;
  private readonly activity = new RunActivity();
  private statusText: string | undefined;
  private statusTimer: NodeJS.Timeout | undefined;
  private ended = false;
  readonly startedAt = Date.now();

  /** `key`: the run's id, known before its first event. */
  constructor(
    readonly key: string,
    readonly question: string,
    readonly scope: string | undefined,
    private readonly onCancel: () => void,
    private readonly onRerun: () => void,
  ) {}

  get title(): string {
    return panelTitle(this.question, this.startedAt);
  }

  get live(): boolean {
    return !this.ended;
  }

  snapshot(): InitMessage {
    const header: RunHeaderView = this.vm.header ?? { runId: this.key, question: this.question, scope: this.scope, startedAt: this.startedAt };
    return {
      type: 'init',
      header,
      nodes: this.vm.allNodes(),
      usage: this.vm.usage(),
      outcome: this.finalOutcome ?? this.vm.outcome,
      live: this.live,
      ...(this.estimateText === undefined ? {} : { estimate: this.estimateText }),
      status: this.statusText,
    };
  }

  onUpdate(listener: (msg: FeedMessage) => void): vscode.Disposable {
    this.listeners.add(listener);
    return new vscode.Disposable(() => this.listeners.delete(listener));
  }

  /** Shows (or with no text, clears) a passing status: a retry, a wait. */
  notice(text?: string): void {
    if (text === this.noticeText) return;
    this.noticeText = text;
    for (const l of this.listeners) l({ type: 'notice', text });
  }

  /** The run's cost estimate, as the question input showed it. */
  estimate(text: string): void {
    this.estimateText = text;
    for (const l of this.listeners) l({ type: 'estimate', text });
  }

  push(event: TraceEvent): void {
    // A reply arrived: whatever the notice waited for is over.
    if (this.noticeText !== undefined && (event.type === 'model.response' || event.type === 'subcall.end' || event.type === 'run.end')) this.notice();
    for (const n of this.vm.apply(event)) this.pending.set(n.id, n);
    this.activity.apply(event);
    if (!this.timer) this.timer = setTimeout(() => this.flush(), FLUSH_MS);
    if (!this.statusTimer && !this.ended) {
      this.statusTimer = setInterval(() => this.updateStatus(), STATUS_MS);
      this.updateStatus();
    }
  }

  /** Words the status line from the run's state now; posts it when it changed. */
  private updateStatus(): void {
    const text = this.ended ? undefined : this.activity.text();
    if (text === this.statusText) return;
    this.statusText = text;
    for (const l of this.listeners) l({ type: 'status', text });
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const msg: NodesMessage = { type: 'nodes', upserts: [...this.pending.values()], usage: this.vm.usage() };
    this.pending.clear();
    for (const l of this.listeners) l(msg);
  }

  /** Ends the feed with the run's outcome (the core always ends a run with run.end). */
  finish(): void {
    this.flush();
    this.notice();
    this.ended = true;
    clearInterval(this.statusTimer);
    this.statusTimer = undefined;
    this.updateStatus();
    this.finalOutcome = this.vm.outcome ?? { status: 'failed', reason: 'The run ended without a result.' };
    const msg: OutcomeMessage = { type: 'outcome', outcome: this.finalOutcome, usage: this.vm.usage() };
    for (const l of this.listeners) l(msg);
  }

  cancel(): void {
    this.onCancel();
  }

  rerun(): void {
    this.onRerun();
  }
}
