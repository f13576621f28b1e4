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
import { shorten } from '../core/shorten';
import type { SandboxProvider } from '../core/sandbox/types';
import type { Conversation, ConversationTurn } from '../core/rlm/conversation';
import type { RunEndEvent, TraceEvent } from '../core/trace/types';
import type { Workspace } from '../core/workspace/workspace';
import type { WorkspaceRoot } from '../core/workspace/types';
import { readConversationConfig, readRunConfig, runExcludes, type RunConfig } from './config';
import { showErrorWithFixes } from './fixActions';
import type { HistoryStore } from './history/historyStore';
import { LiveRun } from './liveRun';
import { createModels, type RunModels } from './models';
import { PathSet } from './panel/fileSets';
import { RefVerifier } from './panel/refVerifier';
import { RunPanel } from './panel/runPanel';
import { VscodeFileSource } from './vscodeFileSource';

export interface RunRequest {
  question: string;
  /** Folder the run is limited to (Explain This Folder). */
  folder?: vscode.Uri;
  /** A follow-up: the next question of the conversation whose runs these are (oldest first); it
   *  shows in their panel, and asks in their conversation (its REPL) when this window still holds it. */
  after?: ConversationTurn[];
}

/** A conversation of this window: the panel's questions share its REPL. */
interface Thread {
  conversation: Conversation;
  folder?: vscode.Uri;
  /** The workspace its REPL works on, once scanned (the panels' reference checks). */
  workspace?: Workspace;
}

/** A request turned down before a run exists: no run id, no events, no history. */
export interface Refusal {
  refused: 'untrusted' | 'no-workspace' | 'outside-workspace' | 'other-workspace' | 'busy' | 'setup';
  message: string;
}

/** What a request led to: a refusal, or a run with its id and its end (the last event). */
export type StartReply = Refusal | { runId: string; end: RunEndEvent };

type Engine = typeof import('./engine');

interface SetUp {
  cfg: RunConfig;
  models: RunModels;
  engine: Engine;
}

/** The roots a run scans, with the folder scope (Explain This Folder). */
interface Target {
  roots: WorkspaceRoot[];
  scope?: string;
  scopeLabel?: string;
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
  /** Fires when a run starts or ends (history refresh). */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly history: HistoryStore,
    private readonly sandbox: () => Promise<SandboxProvider>,
  ) {
    this.statusBar.name = 'RLM run';
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
    } finally {
      this.starting = false;
    }
    if ('refused' in setUp) return setUp;

    const { cfg, models, engine } = setUp;
    const abort = new AbortController();
    const folderUris = target.folders.map((f) => f.uri.toString());
    // eslint-disable-next-line prefer-const -- assigned below, once the run has its id; the closures above read it later
    let live!: LiveRun;
    let report = (_message: string) => {};
    const lastRun = req.after?.at(-1)?.runId;
    // Every question is a conversation's: a follow-up continues its panel's one (same REPL); a new
    // question, or a follow-up in a panel restored from history, starts one (with the earlier answers).
    let thread = lastRun !== undefined ? this.threads.get(lastRun) : undefined;
    if (!thread) {
      const made: Thread = { folder: req.folder, conversation: undefined as unknown as Conversation };
      made.conversation = new engine.Conversation({
        // A step of the conversation's first question (and of the first after an idle release): a
        // failed or cancelled scan still ends that question with run.end.
        workspace: async (signal) => {
          report('scanning the workspace…');
          const workspace = await this.scan(engine.scanWorkspace, target, cfg, models.secrets, signal);
          made.workspace = workspace;
          live.verifier = new RefVerifier(workspace);
          report(`${workspace.context.totals.files} files; thinking…`);
          return workspace;
        },
        sandbox: this.sandbox,
        ...readConversationConfig(),
        turns: req.after,
        onNotice: (n) => this.active?.live.notice(n.message),
      });
      thread = made;
    }
    const current = thread;
    let run: InstanceType<Engine['Run']>;
    try {
      run = current.conversation.ask(
        {
          question: req.question,
          scope: target.scopeLabel,
          rootModel: models.root,
          subModel: models.sub,
          budgets: cfg.budgets,
          sandboxLimits: cfg.sandboxLimits,
          turnLimits: cfg.turnLimits,
          prices: cfg.prices,
          signal: abort.signal,
          onEvent: (event) => this.follow(run.id, live, event, folderUris),
        },
        { secrets: models.secrets },
      );
    } catch (err) {
      // The conversation is busy or ended: a refusal, no run exists.
      const message = safeMessage(err, 'This conversation cannot take a question now.');
      void vscode.window.showInformationMessage(`RLM: ${message}`);
      return { refused: 'busy', message };
    }
    this.threads.set(run.id, current);
    live = this.show(run.id, req, target.scopeLabel, abort, lastRun);
    // A follow-up's REPL already holds the scanned workspace: its panel checks references there.
    if (current.workspace) live.verifier = new RefVerifier(current.workspace);
    try {
      const end = await this.withProgress(req.question, live, abort, (r) => (report = r), () => run.start());
      // The finished panel keeps only the paths, not the Workspace and its content cache.
      if (current.workspace) live.verifier = new RefVerifier(new PathSet(current.workspace.context.files.map((f) => f.path)));
      await this.history.flush();
      live.finish();
      this.notifyEnd(end, () => this.start(req));
      return { runId: run.id, end };
    } finally {
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
      void vscode.window.showWarningMessage(UNTRUSTED_MESSAGE, 'Manage Workspace Trust').then((pick) => {
        if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
      });
      return { refused: 'untrusted', message: UNTRUSTED_MESSAGE };
    }
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length === 0) {
      const message = 'Open a folder first: RLM answers questions about the open workspace.';
      void vscode.window.showErrorMessage(message);
      return { refused: 'no-workspace', message };
    }
    const target = this.rootsFor(req.folder, folders);
    if (!target) {
      const message = `RLM can only explain folders of the open workspace; ${req.folder?.scheme === 'file' ? req.folder.fsPath : String(req.folder)} is outside it. Add it to the workspace or open it first.`;
      void vscode.window.showErrorMessage(message);
      return { refused: 'outside-workspace', message };
    }
    if (this.active || this.starting) {
      const message = 'An RLM run is already in progress. Cancel it first or wait for it to finish.';
      void vscode.window.showInformationMessage(message, 'Cancel Run').then((pick) => pick && this.cancel());
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
      models = await createModels(cfg, this.context.secrets, this.context.languageModelAccessInformation);
    } catch (err) {
      const message = safeMessage(err, 'Could not set up the models.');
      // After the fix (e.g. Set API Key), the question the user typed runs again.
      showErrorWithFixes(`RLM: ${message}`, () => this.start(req));
      return { refused: 'setup', message };
    }
    // Loaded on the first run, so that activation evaluates none of the run machinery.
    return { cfg, models, engine: await import('./engine') };
  }

  /** The workspace as the run's settings see it: excludes, files.exclude, secrets, the folder scope. */
  private scan(scanWorkspace: Engine['scanWorkspace'], target: Target, cfg: RunConfig, secrets: string[], signal: AbortSignal): Promise<Workspace> {
    return scanWorkspace(target.roots, {
      excludes: runExcludes(cfg, target.folders),
      allowSecrets: cfg.allowSecrets,
      maskSecrets: cfg.maskSecrets,
      knownSecrets: secrets,
      scope: target.scope,
      rgPath: bundledRipgrep(),
      signal,
    });
  }

  /** The run's feed, keyed by its id from the start, in a panel; the window shows a run is active. */
  private show(runId: string, req: RunRequest, scopeLabel: string | undefined, abort: AbortController, after?: string): LiveRun {
    const live = new LiveRun(runId, req.question, scopeLabel, () => abort.abort(), () => void this.start({ question: req.question, folder: req.folder }));
    let ended!: () => void;
    const done = new Promise<void>((r) => (ended = r));
    this.active = { live, abort, done, ended };
    this.setRunning(true);
    // A follow-up shows in its conversation's panel, below the earlier questions.
    const panel = after !== undefined ? RunPanel.find(after) : undefined;
    if (panel) panel.continueWith(live);
    else RunPanel.show(this.context.extensionUri, live);
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
  private rootsFor(folder: vscode.Uri | undefined, folders: readonly vscode.WorkspaceFolder[]): { roots: WorkspaceRoot[]; scope?: string; scopeLabel?: string } | undefined {
    const all = folders.map((f) => ({ name: f.name, source: new VscodeFileSource(f.uri) }));
    if (!folder) return { roots: all };
    const wf = vscode.workspace.getWorkspaceFolder(folder);
    if (!wf) return undefined;
    const rel = path.posix.relative(wf.uri.path, folder.path);
    const root = { name: wf.name, source: new VscodeFileSource(wf.uri) };
    if (!rel || rel.startsWith('..')) return { roots: [root], scopeLabel: folders.length > 1 ? wf.name : undefined };
    return { roots: [root], scope: rel, scopeLabel: folders.length > 1 ? `${wf.name}/${rel}` : rel };
  }

  dispose(): void {
    this.cancel();
    this.closeThreads([...this.threads.keys()]);
    this.statusBar.dispose();
    this.changed.dispose();
  }
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
