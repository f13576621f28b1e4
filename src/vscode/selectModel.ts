/**
 * RLM: Select Model: one list of the models a run can use, the VS Code language models
 * (`vscode.lm.selectChatModels`) and the OpenAI-compatible endpoint's (`GET <baseUrl>/models`), picked
 * for the root and then for sub-calls; writes `rlm.model`, `rlm.subModel` and, when the pick needs it,
 * `rlm.provider` (user settings). A run uses one source, so the sub-call list is the root's source.
 */
import * as vscode from 'vscode';
import { readRunConfig, type ModelSource, type Provider } from './config';
import { listEndpointModels } from './endpointModels';
import { API_KEY_SECRET, isLoopback } from './models';

export interface ModelChoice extends vscode.QuickPickItem {
  /** `problem`: the endpoint's list could not be read (picking it opens "rlm.baseUrl"). */
  source?: ModelSource | 'problem' | 'same';
  /** The name written to the setting. */
  name?: string;
}

/** Picks one choice of a step; the command's own is a quick pick (tests pass theirs). */
export type Chooser = (step: 'root' | 'sub', items: ModelChoice[], current: string) => Thenable<ModelChoice | undefined>;

export interface SelectedModels {
  model: string;
  subModel: string;
  provider: Provider;
}

async function lmChoices(): Promise<ModelChoice[]> {
  const models = await vscode.lm.selectChatModels();
  const head: ModelChoice = {
    label: models.length ? 'VS Code language models' : 'VS Code language models: none (sign in to GitHub Copilot Chat to use yours)',
    kind: vscode.QuickPickItemKind.Separator,
  };
  return [head, ...models.map((m): ModelChoice => ({ label: m.id, description: `${m.name} · ${m.vendor}`, source: 'vscode-lm', name: m.id }))];
}

async function endpointChoices(secrets: vscode.SecretStorage): Promise<ModelChoice[]> {
  const { baseUrl } = readRunConfig();
  const key = await secrets.get(API_KEY_SECRET);
  const head: ModelChoice = { label: `Endpoint ${baseUrl}`, kind: vscode.QuickPickItemKind.Separator };
  if (!baseUrl) return [head, { label: '$(warning) No endpoint set', detail: 'Pick to set "rlm.baseUrl".', source: 'problem' }];
  if (!key && !isLoopback(baseUrl)) {
    return [head, { label: '$(warning) No API key set', detail: 'Run "RLM: Set API Key" to list this endpoint\'s models.', source: 'problem' }];
  }
  const listed = await listEndpointModels(baseUrl, key);
  if ('problem' in listed) return [head, { label: '$(warning) Could not list the endpoint\'s models', detail: `${listed.problem} Pick to open "rlm.baseUrl".`, source: 'problem' }];
  return [head, ...listed.ids.map((id): ModelChoice => ({ label: id, source: 'openai-compatible', name: id }))];
}

/** Both lists, the VS Code models first (what provider `auto` prefers). */
export async function modelChoices(secrets: vscode.SecretStorage): Promise<ModelChoice[]> {
  const [lm, endpoint] = await Promise.all([lmChoices(), endpointChoices(secrets)]);
  return [...lm, ...endpoint];
}

const quickPick: Chooser = (step, items, current) =>
  new Promise((resolve) => {
    const pick = vscode.window.createQuickPick<ModelChoice>();
    pick.title = step === 'root' ? 'RLM: Select the root model (1/2)' : 'RLM: Select the model for sub-calls (2/2)';
    pick.placeholder = step === 'root' ? 'The model that writes the code exploring the workspace' : 'The model llm_query and llm_batch call on slices';
    pick.items = items;
    const active = items.find((i) => i.name === current);
    if (active) pick.activeItems = [active];
    let chosen: ModelChoice | undefined;
    pick.onDidAccept(() => {
      chosen = pick.selectedItems[0];
      pick.hide();
    });
    pick.onDidHide(() => {
      pick.dispose();
      resolve(chosen);
    });
    pick.show();
  });

/** The command: returns what it wrote, or undefined when the user stopped. */
export async function selectModel(secrets: vscode.SecretStorage, choose: Chooser = quickPick): Promise<SelectedModels | undefined> {
  const rlm = vscode.workspace.getConfiguration('rlm');
  const cfg = readRunConfig();
  const all = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'RLM: listing models…' }, () => modelChoices(secrets));
  const root = await choose('root', all, cfg.model);
  if (!root) return undefined;
  if (root.source === 'problem') {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'rlm.baseUrl');
    return undefined;
  }
  if (!root.name || (root.source !== 'vscode-lm' && root.source !== 'openai-compatible')) return undefined;
  const source = root.source;
  const same: ModelChoice = { label: `Same as the root model (${root.name})`, source: 'same', name: root.name };
  const subItems = [same, ...all.filter((i) => i.source === source || (i.kind === vscode.QuickPickItemKind.Separator && sectionOf(all, i) === source))];
  const sub = await choose('sub', subItems, cfg.subModel);
  if (!sub?.name) return undefined;
  const provider = providerFor(source, cfg.provider, all.some((i) => i.source === 'vscode-lm'));
  await rlm.update('model', root.name, vscode.ConfigurationTarget.Global);
  await rlm.update('subModel', sub.name, vscode.ConfigurationTarget.Global);
  if (provider !== cfg.provider) await rlm.update('provider', provider, vscode.ConfigurationTarget.Global);
  void vscode.window.showInformationMessage(`RLM: root model ${root.name}, sub-calls ${sub.name}${provider !== cfg.provider ? ` (provider "${provider}")` : ''}.`);
  return { model: root.name, subModel: sub.name, provider };
}

/** The provider setting that makes runs use a model of `source`. `auto` prefers the VS Code models, so
 *  an endpoint model needs the provider said outright while any VS Code model exists. */
export function providerFor(source: ModelSource, current: Provider, lmAvailable: boolean): Provider {
  if (source === 'openai-compatible') return current === 'vscode-lm' || (current === 'auto' && lmAvailable) ? 'openai-compatible' : current;
  return current === 'openai-compatible' ? 'vscode-lm' : current;
}

/** The source of the items after separator `sep`. */
function sectionOf(items: ModelChoice[], sep: ModelChoice): ModelChoice['source'] {
  for (const i of items.slice(items.indexOf(sep) + 1)) {
    if (i.kind === vscode.QuickPickItemKind.Separator) return undefined;
    if (i.source) return i.source;
  }
  return undefined;
}
