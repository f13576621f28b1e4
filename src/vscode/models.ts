/** Builds the run's root and sub models from the settings: an OpenAI-compatible endpoint (key from
 *  SecretStorage) or the VS Code Language Model API; provider `auto` picks the second when VS Code
 *  has any language model, else the first. */
import * as vscode from 'vscode';
import { RlmError } from '../core/errors';
import { refusedPortProblem } from '../core/llm/badPorts';
import type { ChatModel } from '../core/llm/types';
import type { ModelSource, RunConfig } from './config';
import { LmChatModel } from './lmChatModel';
import { logged, retryObserver } from './requestLog';

/** Retries after a failed request (OpenAIChatModel's default), named here for the retry status line. */
const MAX_RETRIES = 4;

export const API_KEY_SECRET = 'rlm.apiKey';

export interface RunModels {
  root: ChatModel;
  sub: ChatModel;
  /** Values to scrub from traces. */
  secrets: string[];
  /** Where the models came from (provider `auto` resolved). */
  source: ModelSource;
}

/** The provider setting resolved: `auto` = the VS Code language models when any is available (e.g. a
 *  signed-in Copilot), else the OpenAI-compatible endpoint. */
export async function resolveProvider(cfg: RunConfig): Promise<ModelSource> {
  if (cfg.provider !== 'auto') return cfg.provider;
  return (await vscode.lm.selectChatModels()).length > 0 ? 'vscode-lm' : 'openai-compatible';
}

/** Local servers (Ollama, LM Studio, vLLM on loopback) usually need no key. */
export function isLoopback(baseUrl: string): boolean {
  try {
    const host = new URL(baseUrl).hostname;
    return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
  } catch {
    return false;
  }
}

/**
 * `chatModel`: the model picked in VS Code's Chat for this request; with the VS Code language models
 * (provider `vscode-lm`, or `auto` resolved to them) it is the root model, whatever `rlm.model` says.
 */
export async function createModels(
  cfg: RunConfig,
  secrets: vscode.SecretStorage,
  lmAccess?: vscode.LanguageModelAccessInformation,
  chatModel?: vscode.LanguageModelChat,
): Promise<RunModels> {
  const source = chatModel && cfg.provider !== 'openai-compatible' ? 'vscode-lm' : await resolveProvider(cfg);
  if (source === 'vscode-lm') {
    // With `auto` the names in rlm.model / rlm.subModel are wishes (their defaults name OpenAI models):
    // a name VS Code does not offer falls back to the first model, or the root model for sub-calls.
    const lenient = cfg.provider === 'auto';
    const root = chatModel ? new LmChatModel(chatModel) : await LmChatModel.select(cfg.model, lmAccess, lenient ? '' : undefined);
    const sub =
      cfg.subModel && cfg.subModel !== cfg.model ? await LmChatModel.select(cfg.subModel, lmAccess, lenient ? root : undefined) : root;
    const loggedRoot = logged(root);
    return { root: loggedRoot, sub: sub === root ? loggedRoot : logged(sub), secrets: [], source };
  }
  if (!cfg.baseUrl) throw new RlmError('Set "rlm.baseUrl" to an OpenAI-compatible endpoint (e.g. https://api.openai.com/v1).', 'config');
  try {
    new URL(cfg.baseUrl);
  } catch {
    throw new RlmError(`"rlm.baseUrl" is not a URL: ${cfg.baseUrl}`, 'config');
  }
  const refused = refusedPortProblem(cfg.baseUrl, '"rlm.baseUrl"');
  if (refused) throw new RlmError(refused, 'config');
  if (!cfg.model) throw new RlmError('Set "rlm.model" to the root model name.', 'config');
  const stored = await secrets.get(API_KEY_SECRET);
  if (!stored && !isLoopback(cfg.baseUrl)) {
    throw new RlmError('No API key is set. Run "RLM: Set API Key" first (it is kept in VS Code\'s secret storage).', 'no-key');
  }
  const apiKey = stored || 'not-needed';
  const { OpenAIChatModel } = await import('./engine');
  const make = (model: string) => logged(new OpenAIChatModel({ baseURL: cfg.baseUrl, apiKey, model, maxRetries: MAX_RETRIES, onRetry: retryObserver(model, MAX_RETRIES) }));
  const root = make(cfg.model);
  const sub = cfg.subModel === cfg.model ? root : make(cfg.subModel);
  return { root, sub, secrets: stored ? [stored] : [], source };
}
