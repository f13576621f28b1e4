/**
 * One webview panel per run: shows a feed (a live run or a trajectory from history), answers the
 * webview's typed requests, and never lets the webview do more than the protocol allows.
 */
import * as vscode from 'vscode';
import type { EstimateMessage, HostToWebview, InitMessage, NodesMessage, NoticeMessage, OutcomeMessage, SectionView, StatusMessage, WebviewToHost } from '../../panelProtocol';
import { checkPanelMessage } from './panelMessages';
import { panelHtml } from './panelHtml';
import { RefVerifier } from './refVerifier';

/** What a panel shows. A live run pushes updates; a finished run has only a snapshot. */
export interface PanelFeed {
  readonly key: string;
  readonly title: string;
  snapshot(): InitMessage;
  onUpdate?(listener: (msg: NodesMessage | OutcomeMessage | NoticeMessage | EstimateMessage | StatusMessage) => void): vscode.Disposable;
  readonly verifier: RefVerifier;
  cancel?(): void;
  rerun?(): void;
}

/** What a follow-up asks: the next question after the panel's runs (oldest first). */
export type FollowUpHandler = (question: string, runs: readonly PanelFeed[], panel: RunPanel) => void;

export class RunPanel {
  private static readonly open = new Map<string, RunPanel>();
  static readonly viewType = 'rlm.runPanel';
  /** Where ignored or failed webview messages are reported (the RLM output channel). */
  static log: (line: string) => void = () => undefined;
  /** Asks a follow-up (set by the run controller); unset: the panel offers none. */
  static followUp: FollowUpHandler | undefined;
  /** Told the run ids of a panel that closed (its conversation can go). */
  static onClosed: (runIds: string[]) => void = () => undefined;

  private readonly disposables: vscode.Disposable[] = [];
  private feedSub: vscode.Disposable | undefined;
  private ready = false;
  /** The conversation's earlier questions, oldest first (the feed is the latest). */
  private earlier: PanelFeed[] = [];

  /** Shows `feed` in its existing panel or a new one. */
  static show(extensionUri: vscode.Uri, feed: PanelFeed): RunPanel {
    const existing = RunPanel.open.get(feed.key);
    if (existing) {
      existing.setFeed(feed);
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      RunPanel.viewType,
      feed.title,
      { viewColumn: vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active, preserveFocus: false },
      { ...RunPanel.webviewOptions(extensionUri), retainContextWhenHidden: true },
    );
    return RunPanel.adopt(extensionUri, panel, feed);
  }

  /** A panel VS Code restored after a window reload (WebviewPanelSerializer), now showing `feed`. */
  static adopt(extensionUri: vscode.Uri, panel: vscode.WebviewPanel, feed: PanelFeed): RunPanel {
    // A restored panel keeps the options it was saved with: set them again, as for a new one.
    panel.webview.options = RunPanel.webviewOptions(extensionUri);
    panel.title = feed.title;
    const rp = new RunPanel(panel, extensionUri, feed);
    RunPanel.open.set(feed.key, rp);
    return rp;
  }

  private static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      // Only the built panel assets: the panel icon is set by the host and needs no webview access.
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
    };
  }

  /** Shows `feed`, the next question of the conversation in `panel`: the current section becomes an earlier one. */
  continueWith(feed: PanelFeed): void {
    if (feed.key !== this.feed.key) this.earlier.push(this.feed);
    RunPanel.open.set(feed.key, this);
    this.setFeed(feed);
    this.panel.reveal(undefined, true);
  }

  /** A restored conversation panel: its earlier questions, oldest first. */
  setEarlier(feeds: PanelFeed[]): void {
    this.earlier = feeds;
    for (const f of feeds) RunPanel.open.set(f.key, this);
    if (this.ready) this.subscribe();
  }

  /** Every run of the panel, oldest first. */
  get runs(): readonly PanelFeed[] {
    return [...this.earlier, this.feed];
  }

  static find(key: string): RunPanel | undefined {
    return RunPanel.open.get(key);
  }

  /** What the panel showing `key` would be initialised with now (tests: live or a snapshot). */
  static snapshotOf(key: string): InitMessage | undefined {
    return RunPanel.open.get(key)?.feed.snapshot();
  }

  /** The open panel's reference check for `refs` (tests), undefined without a panel. */
  static verifyRefsOf(key: string, refs: unknown[]): Promise<boolean[]> | undefined {
    return RunPanel.open.get(key)?.feed.verifier.verifyAll(refs);
  }

  static disposeAll(): void {
    for (const p of [...RunPanel.open.values()]) p.panel.dispose();
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private feed: PanelFeed,
  ) {
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'rlm.svg');
    panel.webview.html = panelHtml(panel.webview, extensionUri);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => this.receive(m)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private setFeed(feed: PanelFeed): void {
    this.feed = feed;
    this.panel.title = feed.title;
    if (this.ready) this.subscribe();
  }

  private subscribe(): void {
    this.feedSub?.dispose();
    this.post(this.snapshot());
    this.feedSub = this.feed.onUpdate?.((msg) => this.post(msg));
  }

  /** The latest question as its feed has it, with the earlier ones of the conversation. */
  private snapshot(): InitMessage {
    const init = { ...this.feed.snapshot(), followUps: RunPanel.followUp !== undefined };
    if (!this.earlier.length) return init;
    const earlier: SectionView[] = this.earlier.map((f) => {
      const s = f.snapshot();
      return { runId: s.header.runId, question: s.header.question, outcome: s.outcome, nodes: s.nodes };
    });
    return { ...init, earlier };
  }

  private post(msg: HostToWebview): void {
    void this.panel.webview.postMessage(msg);
  }

  /** Every message from the webview: checked first, and whatever it does, nothing it sends can throw
   *  into the extension host; what is ignored or fails is logged. */
  private receive(raw: unknown): void {
    const checked = checkPanelMessage(raw);
    if ('ignored' in checked) {
      RunPanel.log(`Run panel: ignored a message from the webview: ${checked.ignored}.`);
      return;
    }
    this.onMessage(checked.message).catch((err: unknown) => {
      RunPanel.log(`Run panel: a "${checked.message.type}" message from the webview failed: ${err instanceof Error ? err.name : 'error'}.`);
    });
  }

  private async onMessage(msg: WebviewToHost): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.subscribe();
        break;
      case 'verifyRefs': {
        const { verified, paths } = await this.feed.verifier.checkAll(msg.refs);
        this.post({ type: 'verifyRefs.reply', seq: msg.seq, verified, paths });
        break;
      }
      case 'openRef':
        if (!RefVerifier.isWellFormed(msg.ref)) {
          RunPanel.log('Run panel: ignored an openRef message from the webview: not a workspace-relative file reference.');
          return;
        }
        if (!(await this.feed.verifier.open(msg.ref, this.panel.viewColumn))) {
          void vscode.window.showWarningMessage(`RLM: ${msg.ref.path} is not a file of this workspace.`);
        }
        break;
      case 'cancel':
        this.feed.cancel?.();
        break;
      case 'rerun':
        this.feed.rerun?.();
        break;
      case 'resume':
        void vscode.commands.executeCommand('rlm.history.resume', this.feed.key);
        break;
      case 'copy':
        await vscode.env.clipboard.writeText(msg.text);
        void vscode.window.setStatusBarMessage(msg.what === 'answer' ? 'RLM: answer copied as Markdown' : 'RLM: code copied', 3000);
        break;
      case 'openMarkdown': {
        // The answer as the run has it (never text from the webview).
        const answer = this.runs.find((f) => f.key === msg.runId)?.snapshot().outcome?.answer;
        if (!answer) {
          void vscode.window.showInformationMessage('RLM: this run has no answer to open.');
          return;
        }
        const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: answer });
        await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: false });
        break;
      }
      case 'followUp':
        RunPanel.followUp?.(msg.question.trim(), this.runs, this);
        break;
      case 'openSetting':
        // Only the settings the panel links to; anything else from the webview is ignored.
        if (msg.setting === 'rlm.prices') void vscode.commands.executeCommand('workbench.action.openSettings', msg.setting);
        break;
    }
  }

  private dispose(): void {
    RunPanel.onClosed(this.runs.map((f) => f.key));
    this.feedSub?.dispose();
    for (const d of this.disposables) d.dispose();
    for (const [k, v] of RunPanel.open) if (v === this) RunPanel.open.delete(k);
  }
}
