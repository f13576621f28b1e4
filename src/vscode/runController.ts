/**
 * Starts, tracks and cancels runs from VS Code: admits a request (trust, workspace, busy), sets up
 * the models, makes the core's Run (which owns the run's life: its id, its scan, its end event),
 * shows its feed in a panel, follows its events into history and the status bar, and reports
 * how it ended. One run at a time per window. It never makes up an event.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RlmError, safeMessage } from '../core/errors';
import { estimateCost, MIN_HISTORY, needsConfirmation, type CostEstimate } from '../core/llm/costEstimate';
import { formatCost } from '../core/llm/usage';
import { shorten } from '../core/shorten';
import type { QuestionOptions } from '../core/rlm/conversation';
import type { Run } from '../core/rlm/run';
import type { Replay } from '../core/rlm/replay';
import type { SandboxProvider } from '../core/sandbox/types';
import type { Conversation, ConversationTurn } from '../core/rlm/conversation';
import type { RunEndEvent, TraceEvent } from '../core/trace/types';
import type { Workspace } from '../core/workspace/workspace';
import type { WorkspaceRoot } from '../core/workspace/types';
import type { WarmOptions, WarmScope } from '../core/workspace/warmMap';
import { readConversationConfig, readRunConfig, runExcludes, runPrices, type RunConfig } from './config';
import { showErrorWithFixes } from './fixActions';
import type { HistoryStore } from './history/historyStore';
import { LiveRun } from './liveRun';
import { Conversations, conversationRefusal, type ConversationRequest, type Question } from './conversations';
import { createModels, type RunModels } from './models';
import { PathSet } from './panel/fileSets';
import { RefVerifier } from './panel/refVerifier';
import { RefIndex } from '../fileRefs';
import { RunPanel } from './panel/runPanel';
import { VscodeFileSource } from './vscodeFileSource';
import { WindowMap } from './windowMap';

export interface RunRequest {
  question: string;
  /** Folder the run is limited to (Explain This Folder). */
  folder?: vscode.Uri;
  /** The caller (VS Code's Chat, a language model tool) shows the progress, refusal and outcome itself:
   *  no panel opens, no progress notification, no toast. The run is still in history and the status bar. */
  quiet?: boolean;
  /** Cancels the run (a chat request's or tool call's token). */
  token?: vscode.CancellationToken;
  /** The model picked in VS Code's Chat: the root model with the VS Code language models. */
  chatModel?: vscode.LanguageModelChat;
  /** Sees each event of the run after history and the feed did. */
  onEvent?: (event: TraceEvent) => void;
  /** The question belongs to a conversation (one REPL kept across its questions): VS Code's Chat. */
  conversation?: ConversationRequest;
  /** What the conversation says about itself (its REPL was released or restarted). */
  onNotice?: (message: string) => void;
  /** A recorded run to resume (its question is `question`): replayed, then continued with fresh budgets. */
  resume?: Replay;
  /** A follow-up: the next question of the conversation whose runs these are (oldest first); it
   *  shows in their panel, and asks in their conversation (its REPL) when this window still holds it. */
  after?: ConversationTurn[];
}

/** Where the extension keeps its reply cache (`rlm.cache.*`, RLM: Clear Cache). */
export function replyCacheDir(context: vscode.ExtensionContext): string {
  return path.join(context.globalStorageUri.fsPath, 'reply-cache');
}

/** A conversation of this window: the panel's questions share its REPL. */
interface Thread {
  /** The step that scans for the conversation, the current question's (its report, its warm-map lease). */
  step?: (signal: AbortSignal) => Promise<Workspace>;
  conversation: Conversation;
  folder?: vscode.Uri;
  /** The workspace its REPL works on, once scanned (the panels' reference checks). */
  workspace?: Workspace;
}

/** A request turned down before a run exists: no run id, no events, no history. */
export interface Refusal {
  refused: 'untrusted' | 'no-workspace' | 'outside-workspace' | 'other-workspace' | 'busy' | 'setup' | 'cost';
  message: string;
}

/** What a request led to: a refusal, or a run with its id and its end (the last event). */
export type StartReply = Refusal | { runId: string; end: RunEndEvent; verifier: RefVerifier; conversationId?: string };

type Engine = typeof import('./engine');

interface SetUp {
  cfg: RunConfig;
  models: RunModels;
  engine: Engine;
  estimate?: CostEstimate;
}

/** The roots a run scans, with the folder scope (Explain This Folder). */
interface Target {
  roots: WorkspaceRoot[];
  scope?: string;
  scopeLabel?: string;
  /** Every workspace folder as a root (the warm map's roots), and the scope as the warm map takes it. */
  allRoots: WorkspaceRoot[];
  warmScope?: WarmScope;
  folders: readonly vscode.WorkspaceFolder[];
}

export const UNTRUSTED_MESSAGE =
  'RLM is disabled in Restricted Mode: a run executes model-written code and sends the contents of your files to a language model. Trust this workspace to use it.';

export class RunController implements vscode.Disposable {
  private active: { live: LiveRun; abort: AbortController; done: Promise<unknown>; ended: () => void } | undefined;
  private starting = false;
  /** Conversations by the ids of their runs (each run of a panel maps to the panel's conversation). */
  private readonly threads = new Map<string, Thread>();
  private readonly statusBar = vscode.window.createStatusBarItem('rlm.running', vscode.StatusBarAlignment.Left, 10);
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly conversations: Conversations;
  /** Fires when a run starts or ends (history refresh). */
  readonly onDidChange = this.changed.event;
  /** The workspace map kept between questions (rlm.workspace.warmMap). */
  readonly windowMap = new WindowMap(() => {
    const cfg = readRunConfig();
    return cfg.warmMap ? mapOptions(cfg, vscode.workspace.workspaceFolders ?? [], []) : undefined;
  });

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly history: HistoryStore,
    private readonly sandbox: () => Promise<SandboxProvider>,
  ) {
    this.statusBar.name = 'RLM run';
    this.conversations = new Conversations(sandbox);
  }

  /** `/new` in Chat: the conversation ends and its REPL's process goes. */
  endConversation(id: string): Promise<void> {
    return this.conversations.end(id);
  }

  get isRunning(): boolean {
    return this.active !== undefined;
  }

  /** The run in progress, when its id is `runId`. */
  activeRun(runId: string): LiveRun | undefined {
    return this.active?.live.key === runId && this.active.live.live ? this.active.live : undefined;
  }

  /** Shows the active run's panel. */
  reveal(): void {
    if (this.active) RunPanel.show(this.context.extensionUri, this.active.live);
  }

  cancel(): boolean {
    if (!this.active) return false;
    this.active.abort.abort();
    return true;
  }

  /** Ends the active run as interrupted (VS Code closing or reloading, not the user's cancel) and
   *  waits (at most `maxMs`) until it has been recorded. */
  async interruptAndWait(maxMs = 5000): Promise<void> {
    const active = this.active;
    if (!active) return;
    active.abort.abort(new RlmError('Interrupted: VS Code closed or reloaded while the run worked.', 'interrupted'));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([active.done.catch(() => undefined), new Promise((r) => (timer = setTimeout(r, maxMs)))]);
    clearTimeout(timer);
  }

  /** `rlm.running` drives the palette's "RLM: Cancel Run" (shown only while a run is live). */
  private setRunning(running: boolean): void {
    void vscode.commands.executeCommand('setContext', 'rlm.running', running);
  }

  /** One question: admit it, set up the models, make the run (its id first), show it, run it. */
  async start(req: RunRequest): Promise<StartReply> {
    // A follow-up asks about what its conversation's first question scanned.
    const known = req.after?.length ? this.threads.get(req.after[req.after.length - 1].runId) : undefined;
    if (known) req = { ...req, folder: known.folder };
    const target = this.admit(req);
    if ('refused' in target) return target;
    // Claimed before the first await, so two quick starts cannot both pass the busy check. No await
    // follows the set-up until show() makes the run active, which holds the claim from then on.
    this.starting = true;
    let setUp: SetUp | Refusal;
    try {
      setUp = await this.setUp(req);
      if (!('refused' in setUp)) setUp = (await this.confirmCost(setUp)) ?? setUp;
    } finally {
      this.starting = false;
    }
    if ('refused' in setUp) return setUp;

    const { cfg, engine, estimate } = setUp;
    const models = this.withCache(setUp);
    const abort = new AbortController();
    const folderUris = target.folders.map((f) => f.uri.toString());
    // eslint-disable-next-line prefer-const -- assigned below, once the run has its id; the closures above read it later
    let live!: LiveRun;
    let workspace: Workspace | undefined;
    let release = () => {};
    let report = (_message: string) => {};
    const lastRun = req.after?.at(-1)?.runId;
    // The panel's conversation (a follow-up continues its panel's one; see below).
    let thread = req.resume || req.conversation ? undefined : lastRun !== undefined ? this.threads.get(lastRun) : undefined;
    // A step of the run: a failed or cancelled scan still ends it with run.end.
    const scan = async (signal: AbortSignal) => {
      // A chat conversation keeps the workspace its REPL opened with, so it scans its own (not a warm lease).
      const warm = cfg.warmMap && !req.conversation && (!req.folder || target.warmScope !== undefined);
      report(warm && this.windowMap.warmNow ? 'updating the workspace map…' : 'scanning the workspace…');
      if (warm) {
        const lease = await this.windowMap.lease(engine.WarmMap, target.folders, target.allRoots, mapOptions(cfg, target.folders, models.secrets), target.warmScope, signal);
        workspace = lease.workspace;
        release = lease.release;
      } else workspace = await this.scan(engine.scanWorkspace, target, cfg, models.secrets, signal);
      workspace.structure = engine.languageServersFirst(workspace, target.roots, cfg.languageServerMs);
      if (thread) thread.workspace = workspace;
      live.verifier = new RefVerifier(workspace, new RefIndex(workspace.context.files));
      report(`${workspace.context.totals.files} files; thinking…`);
      return workspace;
    };
    const options: QuestionOptions = {
      question: req.question,
      scope: target.scopeLabel,
      rootModel: models.root,
      subModel: models.sub,
      budgets: cfg.budgets,
      sandboxLimits: cfg.sandboxLimits,
      turnLimits: cfg.turnLimits,
      prices: runPrices(cfg, models.source),
      resume: req.resume && { replay: req.resume, confirmChanged },
      signal: abort.signal,
      onEvent: (event) => {
        this.follow(run.id, live, event, folderUris);
        req.onEvent?.(event);
      },
    };
    let run: Run;
    let conversation: Question | undefined;
    if (req.resume) {
      // A resumed run replays its recording in a fresh REPL of its own.
      run = new engine.Run({ ...options, workspace: scan }, { sandbox: this.sandbox, secrets: models.secrets });
    } else if (req.conversation) {
      try {
        conversation = this.conversations.ask(engine, req.conversation, scan, req.onNotice, options, { secrets: models.secrets });
      } catch (err) {
        const message = conversationRefusal(err);
        if (message === undefined) throw err;
        return { refused: 'busy', message };
      }
      run = conversation.run;
    } else {
      // Every panel question is a conversation's: a follow-up continues its panel's one (same REPL); a
      // new question, or a follow-up in a panel restored from history, starts one (with the earlier answers).
      if (!thread) {
        const made: Thread = { folder: req.folder, conversation: undefined as unknown as Conversation };
        made.conversation = new engine.Conversation({
          // The current question's step: a scan (first question, or after an idle release) reports
          // to that question's panel and holds that question's lease of the warm map.
          workspace: (signal) => made.step!(signal),
          sandbox: this.sandbox,
          ...readConversationConfig(),
          turns: req.after,
          onNotice: (n) => this.active?.live.notice(n.message),
        });
        thread = made;
      }
      thread.step = scan;
      try {
        run = thread.conversation.ask(options, { secrets: models.secrets });
      } catch (err) {
        // The conversation is busy or ended: a refusal, no run exists.
        const message = safeMessage(err, 'This conversation cannot take a question now.');
        void vscode.window.showInformationMessage(`RLM: ${message}`);
        return { refused: 'busy', message };
      }
      this.threads.set(run.id, thread);
    }
    live = this.show(run.id, req, target.scopeLabel, abort, lastRun);
    // A follow-up that keeps its conversation's REPL does not scan: its references check against the kept workspace.
    if (conversation?.files) live.verifier = new RefVerifier(conversation.files);
    if (thread?.workspace) live.verifier = new RefVerifier(thread.workspace, new RefIndex(thread.workspace.context.files));
    live.estimate(estimate?.text ?? NO_ESTIMATE);
    const cancelled = req.token?.onCancellationRequested(() => abort.abort());
    if (req.token?.isCancellationRequested) abort.abort();
    try {
      const end = req.quiet ? await run.start() : await this.withProgress(req.question, live, abort, (r) => (report = r), () => run.start());
      // The finished panel keeps only the paths, not the Workspace and its content cache.
      const kept = workspace ?? thread?.workspace;
      const files = kept ? new PathSet(kept.context.files.map((f) => f.path)) : conversation && this.conversations.files(conversation.conversationId);
      if (files) live.verifier = new RefVerifier(files, kept ? new RefIndex(kept.context.files) : undefined);
      await this.history.flush();
      live.finish();
      if (!req.quiet) this.notifyEnd(end, () => this.start(plain(req)));
      return { runId: run.id, end, verifier: live.verifier, ...(conversation ? { conversationId: conversation.conversationId } : {}) };
    } finally {
      release();
      cancelled?.dispose();
      this.active?.ended();
      this.active = undefined;
      this.setRunning(false);
      this.statusBar.hide();
      this.changed.fire();
    }
  }

  /** A panel closed: its conversation (and the REPL process it holds) goes. */
  closeThreads(runIds: string[]): void {
    const gone = new Set<Thread>();
    for (const id of runIds) {
      const t = this.threads.get(id);
      if (t) gone.add(t);
      this.threads.delete(id);
    }
    for (const t of gone) {
      if (t.conversation.busy) continue; // its run is still live (e.g. shown again from history); it ends on its own
      for (const [id, other] of this.threads) if (other === t) this.threads.delete(id);
      void t.conversation.dispose().catch(() => undefined);
    }
  }

  /** Refuses a request no run can serve (trust, workspace, folder, busy); else the roots to scan. */
  private admit(req: RunRequest): Target | Refusal {
    if (!vscode.workspace.isTrusted) {
      if (!req.quiet) {
        void vscode.window.showWarningMessage(UNTRUSTED_MESSAGE, 'Manage Workspace Trust').then((pick) => {
          if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
        });
      }
      return { refused: 'untrusted', message: UNTRUSTED_MESSAGE };
    }
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) {
      const message = 'Open a folder first: RLM answers questions about the open workspace.';
      if (!req.quiet) void vscode.window.showErrorMessage(message);
      return { refused: 'no-workspace', message };
    }
    const target = this.rootsFor(req.folder, folders);
    if (!target) {
      const message = `RLM can only explain folders of the open workspace; ${req.folder?.scheme === 'file' ? req.folder.fsPath : String(req.folder)} is outside it. Add it to the workspace or open it first.`;
      if (!req.quiet) void vscode.window.showErrorMessage(message);
      return { refused: 'outside-workspace', message };
    }
    if (this.active || this.starting) {
      const message = 'An RLM run is already in progress. Cancel it first or wait for it to finish.';
      if (!req.quiet) void vscode.window.showInformationMessage(message, 'Cancel Run').then((pick) => pick && this.cancel());
      return { refused: 'busy', message };
    }
    return { ...target, folders };
  }

  /** The settings, models and engine of the next run; a refusal (with the way out) when the models
   *  cannot be set up (no key, no Copilot consent): no run exists yet. */
  private async setUp(req: RunRequest): Promise<SetUp | Refusal> {
    const cfg = readRunConfig();
    let models: RunModels;
    try {
      models = await createModels(cfg, this.context.secrets, this.context.languageModelAccessInformation, req.chatModel);
    } catch (err) {
      const message = safeMessage(err, 'Could not set up the models.');
      // After the fix (e.g. Set API Key), the question the user typed runs again.
      if (!req.quiet) showErrorWithFixes(`RLM: ${message}`, () => this.start(req));
      return { refused: 'setup', message };
    }
    // Loaded on the first run, so that activation evaluates none of the run machinery.
    return { cfg, models, engine: await import('./engine') };
  }

  /** What a question would cost now: from the warm map's size, the models' prices and past runs;
   *  undefined while neither a map nor enough history exists. */
  async estimate(cfg: RunConfig = readRunConfig()): Promise<CostEstimate | undefined> {
    const history = await this.history.pastTokens().catch(() => []);
    const size = this.windowMap.size;
    if (!size && history.length < MIN_HISTORY) return undefined;
    return estimateCost({ size: size ?? { files: 0, bytes: 0 }, rootModel: cfg.model, subModel: cfg.subModel, prices: cfg.prices, history, maxTokens: cfg.budgets.maxTokens });
  }

  /** For the question input: builds the warm map while the user types (trusted window, warm maps
   *  on), then says what a question is likely to cost. */
  async preview(): Promise<string> {
    const cfg = readRunConfig();
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (cfg.warmMap && vscode.workspace.isTrusted && folders.length > 0) {
      const target = this.rootsFor(undefined, folders)!;
      const engine = await import('./engine');
      await this.windowMap.prewarm(engine.WarmMap, folders, target.allRoots, mapOptions(cfg, folders, []));
    }
    return (await this.estimate(cfg))?.text ?? NO_ESTIMATE;
  }

  /** With a cost cap, a question whose 90th-percentile estimate is above it runs only once the user
   *  confirms (modal); the estimate goes with the set-up to the panel. */
  private async confirmCost(setUp: SetUp): Promise<Refusal | undefined> {
    const estimate = await this.estimate(setUp.cfg).catch(() => undefined);
    setUp.estimate = estimate;
    const cap = setUp.cfg.budgets.maxCostUsd ?? Infinity;
    if (!estimate || !needsConfirmation(estimate, cap)) return undefined;
    const message = `This question may cost more than your cap of ${formatCost(cap)} (rlm.limits.maxCostUsd).`;
    const pick = await vscode.window.showWarningMessage(
      message,
      { modal: true, detail: `Estimate: ${estimate.text}. The run stops when it reaches the cap.` },
      'Run Anyway',
    );
    return pick === 'Run Anyway' ? undefined : { refused: 'cost', message: `${message} Not run.` };
  }

  /** The models reading and filling the reply cache, unless `rlm.cache.enabled` is false. */
  private withCache({ cfg, models, engine }: SetUp): RunModels {
    if (!cfg.cache.enabled) return models;
    const cache = new engine.ReplyCache(replyCacheDir(this.context), cfg.cache.maxMb * 1024 * 1024);
    const endpoint = cfg.provider === 'vscode-lm' ? 'vscode.lm' : engine.endpointOf(cfg.baseUrl);
    const wrap = (m: RunModels['root']) => engine.withReplyCache(m, cache, endpoint, models.secrets);
    const root = wrap(models.root);
    return { ...models, root, sub: models.sub === models.root ? root : wrap(models.sub) };
  }

  /** The workspace as the run's settings see it: excludes, files.exclude, secrets, the folder scope. */
  private scan(scanWorkspace: Engine['scanWorkspace'], target: Target, cfg: RunConfig, secrets: string[], signal: AbortSignal): Promise<Workspace> {
    return scanWorkspace(target.roots, { ...mapOptions(cfg, target.folders, secrets), scope: target.scope, signal });
  }

  /** The run's feed, keyed by its id from the start, in a panel; the window shows a run is active. */
  private show(runId: string, req: RunRequest, scopeLabel: string | undefined, abort: AbortController, after?: string): LiveRun {
    // Re-run asks the question afresh (a resumed run's Re-run does not resume again).
    const live = new LiveRun(runId, req.question, scopeLabel, () => abort.abort(), () => void this.start(plain(req)));
    let ended!: () => void;
    const done = new Promise<void>((r) => (ended = r));
    this.active = { live, abort, done, ended };
    this.setRunning(true);
    // A follow-up shows in its conversation's panel, below the earlier questions.
    const panel = after !== undefined ? RunPanel.find(after) : undefined;
    if (panel) panel.continueWith(live);
    else if (!req.quiet) RunPanel.show(this.context.extensionUri, live);
    this.showStatus('starting');
    this.changed.fire();
    return live;
  }

  /** Where each event goes: history, the feed, the status bar. */
  private follow(runId: string, live: LiveRun, event: TraceEvent, folders: string[]): void {
    this.history.record(runId, event, folders);
    if (event.type === 'run.start') this.changed.fire();
    live.push(event);
    if (event.type === 'iteration.start' && event.parentId === live.vm.rootId) {
      this.showStatus(`iteration ${event.iteration}/${event.maxIterations}`);
    }
  }

  /** Runs `work` under a cancellable progress notification that follows the feed. */
  private withProgress<T>(question: string, live: LiveRun, abort: AbortController, reporter: (report: (message: string) => void) => void, work: () => Promise<T>): Thenable<T> {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `RLM: ${shorten(question, 60)}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => abort.abort());
        reporter((message) => progress.report({ message }));
        const sub = live.onUpdate(() => {
          const u = live.vm.usage();
          progress.report({ message: `iteration ${u.iterations}${u.maxIterations ? `/${u.maxIterations}` : ''} · ${u.tokens} tokens · ${u.subcalls} sub-calls` });
        });
        try {
          return await work();
        } finally {
          sub.dispose();
        }
      },
    );
  }

  private notifyEnd(end: RunEndEvent, rerun: () => unknown): void {
    if (end.status === 'answered' || end.status === 'forced') return;
    if (end.status === 'cancelled') {
      void vscode.window.setStatusBarMessage('RLM: run cancelled', 4000);
      return;
    }
    if (end.status === 'interrupted') return; // VS Code is closing or reloading: nobody to tell.
    const text = `RLM: the run ended (${end.status})${end.reason ? `: ${end.reason}` : ''}`;
    // A failed run gets its fix buttons (Set API Key, Open Settings, …); after the fix it runs again.
    if (end.status === 'failed') showErrorWithFixes(text, rerun);
    else void vscode.window.showWarningMessage(text);
  }

  private showStatus(text: string): void {
    this.statusBar.text = `$(loading~spin) RLM: ${text}`;
    this.statusBar.tooltip = 'An RLM run is in progress. Click to show it (Cancel is in its panel).';
    const key = this.active?.live.key;
    this.statusBar.command = key ? { title: 'Show RLM Run', command: 'rlm.history.open', arguments: [key] } : undefined;
    this.statusBar.show();
  }

  /** Undefined when `folder` lies outside every workspace folder (never widened to the whole workspace). */
  private rootsFor(folder: vscode.Uri | undefined, folders: readonly vscode.WorkspaceFolder[]): Omit<Target, 'folders'> | undefined {
    const all = folders.map((f) => ({ name: f.name, source: new VscodeFileSource(f.uri) }));
    if (!folder) return { roots: all, allRoots: all };
    const wf = vscode.workspace.getWorkspaceFolder(folder);
    if (!wf) return undefined;
    const rel = path.posix.relative(wf.uri.path, folder.path);
    const root = { name: wf.name, source: new VscodeFileSource(wf.uri) };
    if (!rel || rel.startsWith('..')) {
      // One whole folder: the warm map of a single-folder window is that folder.
      return { roots: [root], allRoots: all, scopeLabel: folders.length > 1 ? wf.name : undefined, warmScope: folders.length === 1 ? { root: 0, folder: '' } : undefined };
    }
    return { roots: [root], allRoots: all, scope: rel, scopeLabel: folders.length > 1 ? `${wf.name}/${rel}` : rel, warmScope: { root: wf.index, folder: rel } };
  }

  dispose(): void {
    this.cancel();
    void this.conversations.disposeAll();
    this.windowMap.dispose();
    this.closeThreads([...this.threads.keys()]);
    this.statusBar.dispose();
    this.changed.dispose();
  }
}


/** The question alone, as the panel's Re-run and a fix's retry ask it again (not through the chat that asked first). */
function plain(req: RunRequest): RunRequest {
  return { question: req.question, folder: req.folder };
}

/** What the panel and the question input say while no estimate can be made. */
export const NO_ESTIMATE = 'no history yet: estimate from workspace size once the workspace is mapped';

/** The map options the run's settings give (excludes, files.exclude, secrets, masking, ripgrep). */
function mapOptions(cfg: RunConfig, folders: readonly vscode.WorkspaceFolder[], secrets: string[]): WarmOptions {
  return { excludes: runExcludes(cfg, folders), allowSecrets: cfg.allowSecrets, maskSecrets: cfg.maskSecrets, knownSecrets: secrets, rgPath: bundledRipgrep(), structure: cfg.structureLimits };
}

/** Files a resumed run's recorded cells read have changed: a modal says which; going on is the user's choice. */
async function confirmChanged(changed: string[]): Promise<boolean> {
  const list = changed.slice(0, 10).join(', ') + (changed.length > 10 ? ', …' : '');
  const pick = await vscode.window.showWarningMessage(
    `RLM: ${changed.length} file(s) the recorded cells read have changed since the run: ${list}. The replayed cells will read the new text, so the rebuilt REPL state may differ from the recorded one.`,
    { modal: true },
    'Resume Anyway',
  );
  return pick === 'Resume Anyway';
}

/** VS Code ships ripgrep; use it when present (the core falls back to its own search otherwise). */
function bundledRipgrep(): string | undefined {
  const exe = process.platform === 'win32' ? 'rg.exe' : 'rg';
  for (const dir of ['node_modules', 'node_modules.asar.unpacked']) {
    const p = path.join(vscode.env.appRoot, dir, '@vscode', 'ripgrep', 'bin', exe);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}
