/** The question input: a quick pick that takes free text and offers the recent questions. */
import * as vscode from 'vscode';

const RECENT_KEY = 'rlm.recentQuestions';
const MAX_RECENT = 15;

export function recentQuestions(state: vscode.Memento): string[] {
  const v = state.get<unknown>(RECENT_KEY);
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

export async function rememberQuestion(state: vscode.Memento, question: string): Promise<void> {
  const list = [question, ...recentQuestions(state).filter((q) => q !== question)].slice(0, MAX_RECENT);
  await state.update(RECENT_KEY, list);
}

/** `estimate`: what a question is likely to cost, shown under the typed question once known. */
export function askQuestion(state: vscode.Memento, estimate?: Promise<string>): Promise<string | undefined> {
  const recent = recentQuestions(state);
  const pick = vscode.window.createQuickPick<vscode.QuickPickItem>();
  pick.title = 'RLM: Ask the Repo';
  pick.placeholder = 'Ask a question about this workspace (Enter to run; recent questions below)';
  pick.matchOnDescription = false;
  const recentItems: vscode.QuickPickItem[] = recent.map((q) => ({ label: q, description: 'recent' }));
  // With nothing typed, the first (active) row is this hint, so Enter on an empty box runs nothing;
  // a recent question runs only when the user moves to it.
  const hint: vscode.QuickPickItem = { label: 'Type a question above, or pick a recent one below', alwaysShow: true };
  const emptyItems = recentItems.length ? [hint, ...recentItems] : [];
  pick.items = emptyItems;
  let cost: string | undefined;
  const show = (value: string) => {
    const typed = value.trim();
    const detail = cost === undefined ? undefined : `Estimated cost: ${cost}`;
    pick.items = typed
      ? [{ label: typed, description: 'ask', detail, alwaysShow: true }, ...recentItems.filter((i) => i.label !== typed)]
      : emptyItems;
  };
  pick.onDidChangeValue(show);
  void estimate?.then(
    (text) => {
      cost = text;
      pick.title = `RLM: Ask the Repo — estimated cost ${text}`;
      show(pick.value);
    },
    () => undefined,
  );
  return new Promise((resolve) => {
    let done = false;
    pick.onDidAccept(() => {
      const item = pick.selectedItems[0] ?? pick.activeItems[0];
      if (item === hint || (!item && !pick.value.trim())) return;
      const chosen = item?.label ?? pick.value.trim();
      done = true;
      pick.hide();
      resolve(chosen.trim() || undefined);
    });
    pick.onDidHide(() => {
      pick.dispose();
      if (!done) resolve(undefined);
    });
    pick.show();
  });
}
