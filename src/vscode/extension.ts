/** Entry point: registers commands, the history view and the run controller. Activation is lazy
 *  (a command or the history view) and does no I/O; the sandbox pool starts on the first run. */
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { registerEvalCommand } from './evalCommand';
import { HistoryStore, type HistoryEntry } from './history/historyStore';
import { HistoryTreeProvider } from './history/historyTree';
import type { FileRef, InitMessage } from '../panelProtocol';
import { API_KEY_SECRET } from './models';
import { RunPanel } from './panel/runPanel';
import { RunController } from './runController';
import { setRequestLog } from './requestLog';
import { SandboxHost } from './sandboxHost';
import { askRepoTool, TOOL_NAME, type AskRepoInput } from './chat/askRepoTool';
import { chatHandler, PARTICIPANT_ID } from './chat/chatParticipant';
import { selectModel, type Chooser } from './selectModel';

/** What activate() returns: a small surface for integration tests and other extensions. */
export interface RlmExtensionApi {
  listHistory(): Promise<HistoryEntry[]>;
  /** The runs the history view shows: those of the open workspace. */
  listVisibleHistory(): Promise<HistoryEntry[]>;
  hasApiKey(): Promise<boolean>;
  isRunning(): boolean;
  /** Folder of the run history (global storage). */
  historyDir: string;
  /** The open panel of a run, as the webview would be initialised now (`live`: a live feed). */
  panelSnapshot(runId: string): InitMessage | undefined;
  /** The open panel of a run checks these file references, as it does before making links. */
  verifyRefs(runId: string, refs: FileRef[]): Promise<boolean[]> | undefined;
  /** Milliseconds activate() itself took. */
  activationMs: number;
  /** The `@rlm` chat participant's request handler (tests drive it: a chat request needs a signed-in Copilot). */
  chatHandler: ReturnType<typeof chatHandler>;
  /** The `rlm_askRepo` tool as registered. */
  askRepoTool: vscode.LanguageModelTool<AskRepoInput>;
  /** Whether `@rlm` was registered with VS Code's Chat. */
  chatParticipantRegistered: boolean;
  /** The window's warm map: its files as last applied and whether changes wait (undefined: none built). */
  warmMap(): { files: string[]; bytes: number; stale: boolean } | undefined;
}

let sandboxHost: SandboxHost | undefined;
let runController: RunController | undefined;

export function activate(context: vscode.ExtensionContext): RlmExtensionApi {
  const t0 = performance.now();
  const output = vscode.window.createOutputChannel('RLM', { log: true });
  setRequestLog(output);
  const warn = (message: string) => {
    output.warn(message);
    void vscode.window.showWarningMessage(message);
  };
  RunPanel.log = (line) => output.warn(line);
  const history = new HistoryStore(context.globalStorageUri.fsPath, warn);
  const tree = new HistoryTreeProvider(history);
  sandboxHost = new SandboxHost(context.extensionPath);
  const host = sandboxHost;
  const controller = new RunController(context, history, () => host.get());
  runController = controller;
  const handler = chatHandler(controller);
  const tool = askRepoTool(controller);
  const chatParticipantRegistered = registerChat(context, handler, tool, (m) => output.warn(m));
  context.subscriptions.push(
    output,
    controller,
    host,
    controller.onDidChange(() => tree.refresh()),
    vscode.window.createTreeView('rlm.history', { treeDataProvider: tree, showCollapseAll: false }),
    ...registerCommands({ context, controller, history, tree }),
    registerEvalCommand(context, () => host.get()),
    // `choose`: tests pick from the real list in place of the quick pick.
    vscode.commands.registerCommand('rlm.selectModel', (choose?: unknown) => selectModel(context.secrets, typeof choose === 'function' ? (choose as Chooser) : undefined)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => tree.refresh()),
    { dispose: () => RunPanel.disposeAll() },
  );
  const activationMs = performance.now() - t0;
  output.info(`activated in ${activationMs.toFixed(1)} ms`);
  return {
    listHistory: () => history.list(),
    listVisibleHistory: () => tree.visibleEntries(),
    hasApiKey: async () => Boolean(await context.secrets.get(API_KEY_SECRET)),
    isRunning: () => controller.isRunning,
    panelSnapshot: (runId) => RunPanel.snapshotOf(runId),
    verifyRefs: (runId, refs) => RunPanel.verifyRefsOf(runId, refs),
    historyDir: context.globalStorageUri.fsPath,
    activationMs,
    chatHandler: handler,
    askRepoTool: tool,
    chatParticipantRegistered,
    warmMap: () => controller.windowMap.state(),
  };
}

/** `@rlm` and the `rlm_askRepo` tool. A VS Code without Chat still gets every command: a failure here is logged, not thrown. */
function registerChat(context: vscode.ExtensionContext, handler: ReturnType<typeof chatHandler>, tool: vscode.LanguageModelTool<AskRepoInput>, warn: (m: string) => void): boolean {
  let participantOk = false;
  try {
    const participant = vscode.chat.createChatParticipant(PARTICIPANT_ID, handler);
    participant.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'rlm.svg');
    context.subscriptions.push(participant);
    participantOk = true;
  } catch (err) {
    warn(`The @rlm chat participant could not be registered: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    context.subscriptions.push(vscode.lm.registerTool(TOOL_NAME, tool));
  } catch (err) {
    warn(`The ${TOOL_NAME} tool could not be registered: ${err instanceof Error ? err.message : String(err)}`);
  }
  return participantOk;
}

/** The active run is interrupted (and recorded as 'interrupted') before the sandbox pool goes away;
 *  disposing the pool first would fail the run instead. */
export async function deactivate(): Promise<void> {
  await runController?.interruptAndWait();
  runController = undefined;
  await sandboxHost?.disposeAsync();
  sandboxHost = undefined;
}
