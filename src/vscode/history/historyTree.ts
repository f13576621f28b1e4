/** The "Runs" TreeView in the RLM view container: past runs, newest first. */
import * as vscode from 'vscode';
import { shorten } from '../../core/shorten';
import { RESUMABLE_STATUSES } from '../../core/trace/outcome';
import type { HistoryEntry, HistoryStore } from './historyStore';
import { questionLabel } from '../../runLabel';
import { historyDescription } from './historyLabel';
import { inOpenWorkspace } from './workspaceMatch';

const ICONS: Record<HistoryEntry['status'], [string, string?]> = {
  answered: ['pass', 'testing.iconPassed'],
  forced: ['pass', 'editorWarning.foreground'],
  failed: ['error', 'testing.iconFailed'],
  budget: ['warning', 'editorWarning.foreground'],
  cancelled: ['circle-slash'],
  interrupted: ['debug-disconnect', 'editorWarning.foreground'],
  running: ['loading~spin'],
};

export class HistoryItem extends vscode.TreeItem {
  constructor(readonly entry: HistoryEntry) {
    super(shorten(questionLabel(entry.question), 80), vscode.TreeItemCollapsibleState.None);
    this.id = entry.runId;
    const [icon, color] = ICONS[entry.status] ?? ['circle-outline'];
    this.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    this.description = historyDescription(entry);
    this.tooltip = `${entry.question}\n\nStatus: ${entry.status}\nStarted: ${new Date(entry.startedAt).toLocaleString()}${entry.scope ? `\nScope: ${entry.scope}` : ''}${entry.costUsd !== null ? `\nCost: $${entry.costUsd.toFixed(4)}` : ''}`;
    // A run cut short (interrupted, failed, budget) also offers Resume.
    this.contextValue = entry.status === 'running' ? 'rlmRunLive' : RESUMABLE_STATUSES.has(entry.status) ? 'rlmRunResumable' : 'rlmRun';
    this.command = { command: 'rlm.history.open', title: 'Open Run', arguments: [this] };
    this.accessibilityInformation = { label: `${entry.question}, ${entry.status}, ${this.description}` };
  }
}

export class HistoryTreeProvider implements vscode.TreeDataProvider<HistoryItem> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly store: HistoryStore) {}

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(item: HistoryItem): vscode.TreeItem {
    return item;
  }

  async getChildren(item?: HistoryItem): Promise<HistoryItem[]> {
    if (item) return [];
    return (await this.visibleEntries()).map((e) => new HistoryItem(e));
  }

  /** The runs of the open workspace (history is shared by all workspaces). */
  async visibleEntries(): Promise<HistoryEntry[]> {
    return (await this.store.list()).filter((e) => inOpenWorkspace(e.folders));
  }
}
