/** The "Runs" TreeView in the RLM view container: past runs, newest first. */
import * as vscode from 'vscode';
import { shorten } from '../../core/shorten';
import type { HistoryEntry, HistoryStore } from './historyStore';
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
    super(shorten(entry.question, 80), vscode.TreeItemCollapsibleState.None);
    this.id = entry.runId;
    const [icon, color] = ICONS[entry.status] ?? ['circle-outline'];
    this.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    const cost = entry.status === 'running' || entry.status === 'interrupted' ? '' : entry.costUsd === null ? ' · $?' : ` · ${costText(entry.costUsd)}`;
    this.description = `${whenText(entry.startedAt)}${cost}${entry.scope ? ` · ${entry.scope}` : ''}`;
    this.tooltip = `${entry.question}\n\nStatus: ${entry.status}\nStarted: ${new Date(entry.startedAt).toLocaleString()}${entry.scope ? `\nScope: ${entry.scope}` : ''}${entry.costUsd !== null ? `\nCost: $${entry.costUsd.toFixed(4)}` : ''}`;
    this.contextValue = entry.status === 'running' ? 'rlmRunLive' : 'rlmRun';
    this.command = { command: 'rlm.history.open', title: 'Open Run', arguments: [this] };
    this.accessibilityInformation = { label: `${entry.question}, ${entry.status}, ${this.description}` };
  }
}

export function costText(usd: number): string {
  if (usd === 0) return '$0';
  return `$${usd < 0.01 ? usd.toFixed(4) : usd.toFixed(2)}`;
}

export function whenText(ts: number, now = Date.now()): string {
  const s = Math.round((now - ts) / 1000);
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(ts).toLocaleDateString();
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
