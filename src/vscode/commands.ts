/** Every command the extension contributes. Run commands return their outcome, so tests (and other
 *  extensions) can drive them programmatically. */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { askQuestion, rememberQuestion } from './askQuestion';
import { refKey } from '../fileRefs';
import { answerRefs, trajectoryToJsonl, trajectoryToMarkdown } from './history/exportRun';
import type { HistoryStore } from './history/historyStore';
import { HistoryItem, type HistoryTreeProvider } from './history/historyTree';
import { reopenedRunFiles } from './history/reopenRules';
import { StoredRun } from './history/storedRun';
import { inOpenWorkspace, OTHER_WORKSPACE_MESSAGE } from './history/workspaceMatch';
import { explainQuestion } from './chat/workspaceFolder';
import { API_KEY_SECRET } from './models';
import { NO_FILES } from './panel/fileSets';
import { RefVerifier } from './panel/refVerifier';
import { restoredRunIds } from './panel/panelMessages';
import { RunPanel, type PanelFeed } from './panel/runPanel';
import type { ConversationTurn } from '../core/rlm/conversation';
import { replyCacheDir, type RunController, type StartReply } from './runController';
import { readRunConfig } from './config';
import { safeMessage } from '../core/errors';
import { shorten } from '../core/shorten';
import { DEFAULT_BUDGETS } from '../core/rlm/types';


interface Deps {
  context: vscode.ExtensionContext;
  controller: RunController;
  history: HistoryStore;
  tree: HistoryTreeProvider;
}

function runIdOf(arg: unknown): string | undefined {
  if (arg instanceof HistoryItem) return arg.entry.runId;
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && typeof (arg as { runId?: unknown }).runId === 'string') return (arg as { runId: string }).runId;
  return undefined;
}

/** The folder a run was scoped to (its recorded scope label), in the open workspace. */
function scopeFolder(scope: string | undefined): vscode.Uri | undefined {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const first = folders[0];
  if (!scope || !first) return undefined;
  const [head, ...rest] = scope.split('/');
  const named = folders.length > 1 ? folders.find((f) => f.name === head) : undefined;
  return named ? vscode.Uri.joinPath(named.uri, ...rest) : vscode.Uri.joinPath(first.uri, ...scope.split('/'));
}

export function registerCommands({ context, controller, history, tree }: Deps): vscode.Disposable[] {
  const reg = vscode.commands.registerCommand;

  /** A second run is refused before the user types it, with a way to the running one. */
  const refuseWhileBusy = (): StartReply | undefined => {
    if (!controller.isRunning) return undefined;
    const message = 'An RLM run is already in progress; one run at a time. Show it, or cancel it to ask something else.';
    void vscode.window.showInformationMessage(message, 'Show Run', 'Cancel Run').then((pick) => {
      if (pick === 'Cancel Run') controller.cancel();
      else if (pick === 'Show Run') controller.reveal();
    });
    return { refused: 'busy', message };
  };

  const ask = async (question?: unknown): Promise<StartReply | undefined> => {
    const busy = refuseWhileBusy();
    if (busy) return busy;
    const q = typeof question === 'string' && question.trim() ? question.trim() : await askQuestion(context.globalState, controller.preview());
    if (!q) return undefined;
    await rememberQuestion(context.globalState, q);
    return controller.start({ question: q });
  };

  const explain = async (uri?: unknown): Promise<StartReply | undefined> => {
    const busy = refuseWhileBusy();
    if (busy) return busy;
    let folder = uri instanceof vscode.Uri ? uri : undefined;
    if (!folder) {
      const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Explain', defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri });
      folder = picked?.[0];
    }
    if (!folder) return undefined;
    return controller.start({ question: explainQuestion(folder), folder });
  };

  /** A stored run as a panel feed; undefined (with a warning when `tell`) when its history is missing or damaged. */
  const storedFeed = async (runId: string, tell: boolean): Promise<StoredRun | undefined> => {
    const warn = (text: string) => void (tell && vscode.window.showWarningMessage(text));
    let events;
    try {
      const read = await history.readTrajectory(runId);
      events = read.events;
      if (read.damaged > 0) warn(`RLM: ${read.damaged} damaged line(s) of this run's history were skipped.`);
    } catch {
      warn('RLM: this run\'s history file is missing or unreadable; it was skipped.');
      return undefined;
    }
    if (!events.some((e) => e.type === 'run.start')) {
      warn('RLM: this run\'s history file is damaged (no start); it was skipped.');
      return undefined;
    }
    // A run of another workspace: shown, but its references stay unverified (they name files there).
    const folders = (await history.list()).find((e) => e.runId === runId)?.folders;
    const here = inOpenWorkspace(folders);
    if (!here && tell) void vscode.window.showInformationMessage(OTHER_WORKSPACE_MESSAGE);
    const stored: StoredRun = new StoredRun(
      runId,
      events,
      await history.isLive(runId),
      () => void rerun({ question: stored.question, scope: stored.scope, folders }),
      here ? reopenedRunFiles : () => NO_FILES,
    );
    return stored;
  };

  /** Run panels open when the window reloaded come back from history (their webview kept the run
   *  ids): a finished run as finished; a run that was live was recorded as interrupted when the
   *  window went, or shows as cut off if its end never reached the history. */
  const serializer: vscode.WebviewPanelSerializer = {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
      const feeds: PanelFeed[] = [];
      for (const runId of restoredRunIds(state)) {
        const feed = controller.activeRun(runId) ?? (await storedFeed(runId, false));
        if (feed && !RunPanel.find(feed.key)) feeds.push(feed);
      }
      const latest = feeds.pop();
      if (!latest) return panel.dispose();
      RunPanel.adopt(context.extensionUri, panel, latest).setEarlier(feeds);
    },
  };



  /** The follow-up box: the next question of the panel's conversation, after its runs. */
  RunPanel.followUp = (question, runs) => {
    if (refuseWhileBusy()) return;
    const turns: ConversationTurn[] = runs.map((f) => {
      const s = f.snapshot();
      const status = s.outcome?.status ?? 'interrupted';
      return { runId: f.key, question: s.header.question, status, answer: s.outcome?.answer, reason: s.outcome?.reason };
    });
    void controller.start({ question, folder: scopeFolder(runs[0]?.snapshot().header.scope), after: turns });
  };
  RunPanel.onClosed = (runIds) => controller.closeThreads(runIds);

  const openRun = async (arg: unknown): Promise<boolean> => {
    const runId = runIdOf(arg);
    if (!runId) return false;
    const livePanel = RunPanel.find(runId);
    if (livePanel && history.isLiveHere(runId)) {
      livePanel.panel.reveal();
      return true;
    }
    // A run still working in this window whose panel was closed: show it live, not a frozen snapshot.
    const active = controller.activeRun(runId);
    if (active) {
      RunPanel.show(context.extensionUri, active);
      return true;
    }
    const stored = await storedFeed(runId, true);
    if (!stored) return false;
    RunPanel.show(context.extensionUri, stored);
    return true;
  };

  const rerun = async (source: { question?: string; scope?: string; folders?: string[] } | undefined): Promise<StartReply | undefined> => {
    if (!source?.question) return undefined;
    if (!inOpenWorkspace(source.folders)) {
      void vscode.window.showWarningMessage(OTHER_WORKSPACE_MESSAGE);
      return { refused: 'other-workspace', message: OTHER_WORKSPACE_MESSAGE };
    }
    return controller.start({ question: source.question, folder: scopeFolder(source.scope) });
  };

  /** Resume a run cut short (interrupted, failed, budget): replayed from its trajectory, then
   *  continued with the current settings' budgets, which the user confirms first (`confirmed`
   *  true: already confirmed, for tests and other extensions). */
  const resume = async (arg: unknown, confirmed?: unknown): Promise<StartReply | undefined> => {
    const busy = refuseWhileBusy();
    if (busy) return busy;
    const entry = await entryOf(arg);
    if (!entry) return undefined;
    if (!inOpenWorkspace(entry.folders)) {
      void vscode.window.showWarningMessage(OTHER_WORKSPACE_MESSAGE);
      return { refused: 'other-workspace', message: OTHER_WORKSPACE_MESSAGE };
    }
    if (await history.isLive(entry.runId)) {
      void vscode.window.showInformationMessage('RLM: this run is still working; it can be resumed once it has ended.');
      return undefined;
    }
    const { Replay } = await import('./engine');
    let replay;
    try {
      replay = Replay.fromEvents((await history.readTrajectory(entry.runId)).events);
    } catch (err) {
      void vscode.window.showErrorMessage(`RLM: ${safeMessage(err, 'this run\'s history cannot be read.')}`);
      return undefined;
    }
    const b = { ...DEFAULT_BUDGETS, ...Object.fromEntries(Object.entries(readRunConfig().budgets).filter(([, v]) => v !== undefined)) };
    const cap = Number.isFinite(b.maxCostUsd) ? `a cost cap of $${b.maxCostUsd}` : 'no cost cap';
    const pick = confirmed === true ? 'Resume' : await vscode.window.showInformationMessage(
      `Resume "${shorten(replay.question, 80)}"? Its ${replay.rootReplies.length} recorded turn(s) are replayed from history without model requests (sub-call replies from the cache or the history); then it goes on as a new run with fresh budgets: ${b.maxIterations} more turns, ${b.maxSubcalls} sub-calls, ${b.maxModelRequests} model requests, ${cap}.`,
      { modal: true },
      'Resume',
    );
    if (pick !== 'Resume') return undefined;
    return controller.start({ question: replay.question, folder: scopeFolder(replay.scope), resume: replay });
  };

  const entryOf = async (arg: unknown) => {
    const runId = runIdOf(arg);
    return runId ? (await history.list()).find((e) => e.runId === runId) : undefined;
  };

  /** The answer's references checked as its panel would (none link for a run of another workspace). */
  const checkRefs = async (runId: string, events: Parameters<typeof answerRefs>[0]): Promise<Map<string, boolean>> => {
    const refs = answerRefs(events);
    const entry = (await history.list()).find((e) => e.runId === runId);
    const verifier = new RefVerifier(inOpenWorkspace(entry?.folders) ? reopenedRunFiles(entry?.scope) : NO_FILES);
    const found = await verifier.verifyAll(refs);
    return new Map(refs.map((r, i) => [refKey(r), found[i] === true]));
  };

  const exportRun = async (arg: unknown, format: 'jsonl' | 'md', target?: unknown): Promise<vscode.Uri | undefined> => {
    const runId = runIdOf(arg);
    if (!runId) return undefined;
    const { events } = await history.readTrajectory(runId);
    const text = format === 'jsonl' ? trajectoryToJsonl(events) : trajectoryToMarkdown(events, await checkRefs(runId, events));
    let uri = target instanceof vscode.Uri ? target : undefined;
    const chosen = !uri;
    if (!uri) {
      // The home folder, not the workspace: an export is not part of the project.
      uri = await vscode.window.showSaveDialog({
        defaultUri: vscode.Uri.file(path.join(os.homedir(), `rlm-${runId}.${format}`)),
        filters: format === 'jsonl' ? { 'JSON Lines': ['jsonl'] } : { Markdown: ['md'] },
        saveLabel: 'Export',
      });
    }
    if (!uri) return undefined;
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    const where = uri.scheme === 'file' ? uri.fsPath : uri.toString();
    void vscode.window.showInformationMessage(`RLM: exported to ${where}`, ...(chosen ? [] : ['Open'])).then((pick) => {
      if (pick) void vscode.window.showTextDocument(uri);
    });
    if (chosen) await vscode.window.showTextDocument(uri, { preview: false });
    return uri;
  };

  return [
    vscode.window.registerWebviewPanelSerializer(RunPanel.viewType, serializer),
    reg('rlm.askRepo', ask),
    reg('rlm.history.resume', resume),
    reg('rlm.clearCache', async () => {
      const { ReplyCache } = await import('./engine');
      await new ReplyCache(replyCacheDir(context)).clear();
      void vscode.window.showInformationMessage('RLM: the reply cache is cleared.');
      return true;
    }),
    reg('rlm.explainFolder', explain),
    reg('rlm.cancelRun', () => {
      if (!controller.cancel()) void vscode.window.showInformationMessage('RLM: no run is in progress.');
    }),
    reg('rlm.setApiKey', async (value?: unknown) => {
      const key =
        typeof value === 'string'
          ? value
          : await vscode.window.showInputBox({
              title: 'RLM: Set API Key',
              prompt: 'API key for the OpenAI-compatible endpoint in "rlm.baseUrl". Stored in VS Code\'s secret storage, never in settings.',
              password: true,
              ignoreFocusOut: true,
            });
      if (key === undefined) return false;
      if (!key.trim()) {
        await context.secrets.delete(API_KEY_SECRET);
        void vscode.window.showInformationMessage('RLM: API key removed.');
        return true;
      }
      await context.secrets.store(API_KEY_SECRET, key.trim());
      if (typeof value !== 'string') void vscode.window.showInformationMessage('RLM: API key saved in secret storage.');
      return true;
    }),
    reg('rlm.clearApiKey', async () => {
      await context.secrets.delete(API_KEY_SECRET);
      void vscode.window.showInformationMessage('RLM: API key removed.');
      return true;
    }),
    reg('rlm.history.open', openRun),
    reg('rlm.history.rerun', async (arg: unknown) => rerun(await entryOf(arg))),
    reg('rlm.history.delete', async (arg: unknown) => {
      const runId = runIdOf(arg);
      // A run live in any window is never deleted.
      if (!runId || !(await history.delete(runId))) return false;
      tree.refresh();
      return true;
    }),
    reg('rlm.history.exportJsonl', (arg: unknown, target?: unknown) => exportRun(arg, 'jsonl', target)),
    reg('rlm.history.exportMarkdown', (arg: unknown, target?: unknown) => exportRun(arg, 'md', target)),
    reg('rlm.history.clear', async (confirmed?: unknown) => {
      if (confirmed !== true) {
        // Enter keeps the history: the first button is the default, so "Keep" comes first.
        const pick = await vscode.window.showWarningMessage(
          'Delete every stored RLM run?',
          { modal: true, detail: 'History is shared by all your VS Code workspaces: this deletes the runs of every workspace, not only this one. Runs still working are kept.' },
          { title: 'Keep History', isCloseAffordance: true },
          { title: 'Delete All' },
        );
        if (pick?.title !== 'Delete All') return false;
      }
      await history.clear();
      tree.refresh();
      return true;
    }),
    reg('rlm.history.refresh', () => tree.refresh()),
  ];
}
