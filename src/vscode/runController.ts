/**
 * Starts, tracks and cancels runs: trust check, models, workspace scan, the engine, the live panel,
 * progress notification, status-bar item and history. One run at a time per window.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RlmError, safeMessage } from '../core/errors';
import type { RunResult } from '../core/rlm/types';
import type { SandboxProvider } from '../core/sandbox/types';
import type { RunEndEvent, TraceEvent } from '../core/trace/types';
import type { WorkspaceRoot } from '../core/workspace/types';
import { filesExcludeGlobs, readRunConfig } from './config';
import { showErrorWithFixes } from './fixActions';
import type { HistoryStore } from './history/historyStore';
import { LiveRun } from './liveRun';
import { createModels } from './models';
import { PathSet } from './panel/fileSets';
import { RefVerifier } from './panel/refVerifier';
import { RunPanel } from './panel/runPanel';
import { onModelRetry } from './requestLog';
import { VscodeFileSource } from './vscodeFileSource';

export interface RunRequest {
  question: string;
  /** Folder the run is limited to (Explain This Folder). */
  folder?: vscode.Uri;
}

export type RunOutcome =
  | { refused: 'untrusted' | 'no-workspace' | 'outside-workspace' | 'other-workspace' | 'busy' | 'setup'; message: string }
  | { result: RunResult };

export const UNTRUSTED_MESSAGE =
  'RLM is disabled in Restricted Mode: a run executes model-written code and sends the contents of your files to a language model. Trust this workspace to use it.';

export class RunController implements vscode.Disposable {
  private active: { live: LiveRun; abort: AbortController; done: Promise<unknown> } | undefined;
  private starting = false;
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

  async start(req: RunRequest): Promise<RunOutcome> {
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
    const cfg = readRunConfig();
    let models;
    // Claimed before the first await, so two quick starts cannot both pass the busy check.
    this.starting = true;
    try {
      models = await createModels(cfg, this.context.secrets, this.context.languageModelAccessInformation);
    } catch (err) {
      this.starting = false;
      const message = safeMessage(err, 'Could not set up the models.');
      // After the fix (e.g. Set API Key), the question the user typed runs again.
      showErrorWithFixes(`RLM: ${message}`, () => this.start(req));
      return { refused: 'setup', message };
    }

    const { roots, scope, scopeLabel } = target;
    const abort = new AbortController();
    const live = new LiveRun(req.question, scopeLabel, () => abort.abort(), () => void this.start(req));
    let ended!: () => void;
    this.active = { live, abort, done: new Promise<void>((r) => (ended = r)) };
    this.starting = false;
    this.setRunning(true);
    RunPanel.show(this.context.extensionUri, live);
    this.showStatus('starting');
    this.changed.fire();
    const retries = onModelRetry((text) => live.notice(text));

    let runId: string | undefined;
    let rootNodeId: string | undefined;
    let lastEnd: RunEndEvent | undefined;
    const onEvent = (event: TraceEvent) => {
      if (event.type === 'run.start' && runId === undefined) {
        runId = event.runId;
        rootNodeId = event.id;
        RunPanel.rekey(live.key, runId);
        live.key = runId;
        this.history.beginRun(event, models.secrets, folders.map((f) => f.uri.toString()));
        this.changed.fire();
      }
      if (event.type === 'run.end') lastEnd = event;
      if (runId !== undefined) this.history.appendEvent(runId, event);
      live.push(event);
      if (event.type === 'iteration.start' && event.parentId === rootNodeId) {
        this.showStatus(`iteration ${event.iteration}/${event.maxIterations}`);
      }
    };

    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `RLM: ${shorten(req.question, 60)}`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => abort.abort());
          progress.report({ message: 'scanning the workspace…' });
          const { runRlm, scanWorkspace } = await import('./engine');
          const excludes = [...cfg.excludes];
          if (cfg.respectFilesExclude) for (const f of folders) excludes.push(...filesExcludeGlobs(f.uri));
          const workspace = await scanWorkspace(roots, {
            excludes: [...new Set(excludes)],
            allowSecrets: cfg.allowSecrets,
            scope,
            rgPath: bundledRipgrep(),
            signal: abort.signal,
          });
          live.verifier = new RefVerifier(workspace);
          progress.report({ message: `${workspace.context.totals.files} files; thinking…` });
          const sub = live.onUpdate(() => {
            const u = live.vm.usage();
            progress.report({ message: `iteration ${u.iterations}${u.maxIterations ? `/${u.maxIterations}` : ''} · ${u.tokens} tokens · ${u.subcalls} sub-calls` });
          });
          try {
            return await runRlm(
              {
                question: req.question,
                scope: scopeLabel,
                workspace,
                rootModel: models.root,
                subModel: models.sub,
                budgets: cfg.budgets,
                sandboxLimits: cfg.sandboxLimits,
                prices: cfg.prices,
                signal: abort.signal,
                onEvent,
              },
              { sandbox: await this.sandbox(), secrets: models.secrets },
            );
          } finally {
            sub.dispose();
            // The finished panel keeps only the paths, not the Workspace and its content cache.
            live.verifier = new RefVerifier(new PathSet(workspace.context.files.map((f) => f.path)));
          }
        },
      );
      if (runId !== undefined) await this.history.endRun(runId, result.status, result.costUsd, result.ms);
      live.finish();
      this.notifyEnd(result);
      return { result };
    } catch (err) {
      const cancelled = abort.signal.aborted;
      const reason = cancelled ? 'Cancelled before the run started.' : safeMessage(err, err instanceof Error ? `Unexpected error: ${err.name}` : 'Unexpected error.');
      const status = cancelled ? 'cancelled' : 'failed';
      if (runId !== undefined && !lastEnd) {
        // The engine threw instead of ending the run: close the trajectory so it is not "interrupted".
        const usage = live.vm.usage();
        const end: RunEndEvent = { type: 'run.end', id: `end-${Date.now()}`, ts: Date.now(), status, reason, iterations: usage.iterations, subcalls: usage.subcalls, usage: {}, costUsd: usage.costUsd, ms: usage.elapsedMs };
        onEvent(end);
        await this.history.endRun(runId, status, usage.costUsd, usage.elapsedMs);
      }
      live.finish({ status, reason });
      if (!cancelled) showErrorWithFixes(`RLM: ${reason}`, () => this.start(req));
      const result: RunResult = { runId: runId ?? '', status, reason, iterations: 0, subcalls: 0, usage: {}, costUsd: null, ms: Date.now() - live.startedAt };
      return { result };
    } finally {
      retries.dispose();
      this.active = undefined;
      this.setRunning(false);
      ended();
      this.statusBar.hide();
      this.changed.fire();
    }
  }

  private notifyEnd(result: RunResult): void {
    if (result.status === 'answered' || result.status === 'forced') return;
    if (result.status === 'cancelled') {
      void vscode.window.setStatusBarMessage('RLM: run cancelled', 4000);
      return;
    }
    const text = `RLM: the run ended (${result.status})${result.reason ? `: ${result.reason}` : ''}`;
    if (result.status === 'failed') showErrorWithFixes(text);
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
    this.statusBar.dispose();
    this.changed.dispose();
  }
}

function shorten(s: string, max: number): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
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
