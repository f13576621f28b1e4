/** Reads the `rlm.*` settings fresh for each run, so a change applies to the next run. */
import * as vscode from 'vscode';
import { DEFAULT_ROOT_MODEL } from '../core/llm/defaults';
import type { ModelPrice, PriceTable } from '../core/llm/types';
import { DEFAULT_PRICES } from '../core/llm/usage';
import { DEFAULT_CONVERSATION, type Budgets, type TurnLimits } from '../core/rlm/types';
import type { SandboxLimits } from '../core/sandbox/types';

export type Provider = 'openai-compatible' | 'vscode-lm';

export interface RunConfig {
  provider: Provider;
  baseUrl: string;
  model: string;
  subModel: string;
  budgets: Partial<Budgets>;
  sandboxLimits: Partial<SandboxLimits>;
  turnLimits: Partial<TurnLimits>;
  excludes: string[];
  allowSecrets: string[];
  maskSecrets: boolean;
  prices: PriceTable;
  respectFilesExclude: boolean;
}

function num(cfg: vscode.WorkspaceConfiguration, key: string, min: number): number | undefined {
  const v = cfg.get<number>(key);
  return typeof v === 'number' && Number.isFinite(v) && v >= min ? v : undefined;
}

function strings(cfg: vscode.WorkspaceConfiguration, key: string): string[] {
  const v = cfg.get<unknown>(key);
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string' && s.trim() !== '') : [];
}

function prices(v: unknown): PriceTable {
  const out: PriceTable = {};
  if (!v || typeof v !== 'object') return out;
  for (const [model, p] of Object.entries(v as Record<string, unknown>)) {
    const price = p as Partial<ModelPrice> | null;
    if (price && typeof price.input === 'number' && typeof price.output === 'number' && price.input >= 0 && price.output >= 0) {
      out[model] = { input: price.input, output: price.output };
    }
  }
  return out;
}

function defined<K extends string>(key: K, v: number | undefined): { [k in K]?: number } {
  return (v === undefined ? {} : { [key]: v }) as { [k in K]?: number };
}

export function readRunConfig(): RunConfig {
  const cfg = vscode.workspace.getConfiguration('rlm');
  const provider = cfg.get<string>('provider') === 'vscode-lm' ? 'vscode-lm' : 'openai-compatible';
  const model = (cfg.get<string>('model', DEFAULT_ROOT_MODEL) ?? '').trim();
  const maxCost = num(cfg, 'limits.maxCostUsd', 0);
  const cellTimeout = num(cfg, 'limits.cellTimeoutSeconds', 1);
  return {
    provider,
    baseUrl: (cfg.get<string>('baseUrl') ?? '').trim(),
    model,
    subModel: (cfg.get<string>('subModel') ?? '').trim() || model,
    budgets: {
      maxIterations: num(cfg, 'limits.maxIterations', 1),
      maxDepth: num(cfg, 'limits.maxDepth', 1),
      maxSubcalls: num(cfg, 'limits.maxSubcalls', 0),
      maxModelRequests: num(cfg, 'limits.maxModelRequests', 1),
      // 0 means no cost cap.
      maxCostUsd: maxCost === undefined || maxCost === 0 ? Infinity : maxCost,
    },
    sandboxLimits: {
      ...(cellTimeout !== undefined ? { cellTimeoutMs: cellTimeout * 1000 } : {}),
      ...defined('treeRssMb', num(cfg, 'limits.sandboxMemoryMb', 256)),
      ...defined('replyQueueMb', num(cfg, 'limits.replyQueueMb', 1)),
    },
    turnLimits: { cells: num(cfg, 'limits.cellsPerTurn', 1), outputChars: num(cfg, 'limits.turnOutputChars', 1000) },
    excludes: strings(cfg, 'excludes'),
    allowSecrets: strings(cfg, 'allowSecrets'),
    // Only `false` turns masking off (a user setting: a workspace cannot unmask its own secrets).
    maskSecrets: cfg.get<unknown>('maskSecrets') !== false,
    // The built-in list prices apply to OpenAI-compatible endpoints only: Copilot models (vscode-lm)
    // are not billed per token, so their cost stays unknown unless the user prices them.
    prices: provider === 'openai-compatible' ? { ...DEFAULT_PRICES, ...prices(cfg.get('prices')) } : prices(cfg.get('prices')),
    respectFilesExclude: cfg.get<boolean>('respectFilesExclude') ?? true,
  };
}

/** The exclude list a run's scan applies (and a reopened run's reference check, by name):
 *  `rlm.excludes`, plus each folder's `files.exclude` with `rlm.respectFilesExclude`. */
export function runExcludes(cfg: RunConfig, folders: readonly vscode.WorkspaceFolder[]): string[] {
  const excludes = [...cfg.excludes];
  if (cfg.respectFilesExclude) for (const f of folders) excludes.push(...filesExcludeGlobs(f.uri));
  return [...new Set(excludes)];
}

/** Globs switched on in `files.exclude` for a folder (gitignore syntax accepts them as they are). */
export function filesExcludeGlobs(scope?: vscode.Uri): string[] {
  const v = vscode.workspace.getConfiguration('files', scope).get<Record<string, unknown>>('exclude') ?? {};
  return Object.entries(v)
    .filter(([, on]) => on === true)
    .map(([glob]) => glob);
}

/** A conversation's limits (`rlm.conversation.*`): the idle time-out (0 = never) and the characters
 *  of each earlier answer in the next question's prompt. */
export function readConversationConfig(): { idleMs: number; answerChars: number } {
  const cfg = vscode.workspace.getConfiguration('rlm');
  const idle = num(cfg, 'conversation.idleMinutes', 0);
  return {
    idleMs: idle === undefined ? DEFAULT_CONVERSATION.idleMs : idle === 0 ? Infinity : idle * 60_000,
    answerChars: num(cfg, 'conversation.answerChars', 100) ?? DEFAULT_CONVERSATION.answerChars,
  };
}
