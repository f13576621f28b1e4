/** Builds the run's root and sub models from the settings: an OpenAI-compatible endpoint (key from
 *  SecretStorage) or the VS Code Language Model API. */
import * as vscode from 'vscode';
import { RlmError } from '../core/errors';
import { refusedPortProblem } from '../core/llm/badPorts';
import type { ChatModel } from '../core/llm/types';
import type { RunConfig } from './config';
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

export async function createModels(cfg: RunConfig, secrets: vscode.SecretStorage, lmAccess?: vscode.LanguageModelAccessInformation): Promise<RunModels> {
  if (cfg.provider === 'vscode-lm') {
    const root = await LmChatModel.select(cfg.model, lmAccess);
    const sub = cfg.subModel && cfg.subModel !== cfg.model ? await LmChatModel.select(cfg.subModel, lmAccess) : root;
    const loggedRoot = logged(root);
    return { root: loggedRoot, sub: sub === root ? loggedRoot : logged(sub), secrets: [] };
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
  return { root, sub, secrets: stored ? [stored] : [] };
}
