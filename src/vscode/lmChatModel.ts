/**
 * ChatModel over the VS Code Language Model API (`vscode.lm`): the user's Copilot models, no key.
 * The stable API has user and assistant messages only, so the system prompt is folded into the
 * first user message. Requests start from a user's command, which is when VS Code may ask consent.
 */
import * as vscode from 'vscode';
import { RlmError } from '../core/errors';
import type { ChatMessage, ChatModel, CompleteOptions, Completion } from '../core/llm/types';

export const NO_LM_MESSAGE =
  'No VS Code language model is available. Install and sign in to GitHub Copilot Chat (or another extension that provides language models), or set "rlm.provider" to "openai-compatible".';

/** Folds system messages into the next user message and merges same-role neighbours. */
export function toLmMessages(messages: ChatMessage[]): { role: 'user' | 'assistant'; content: string }[] {
  const out: { role: 'user' | 'assistant'; content: string }[] = [];
  let pendingSystem = '';
  for (const m of messages) {
    if (m.role === 'system') {
      pendingSystem += (pendingSystem ? '\n\n' : '') + m.content;
      continue;
    }
    let content = m.content;
    if (m.role === 'user' && pendingSystem) {
      content = `${pendingSystem}\n\n---\n\n${content}`;
      pendingSystem = '';
    }
    const last = out[out.length - 1];
    if (last && last.role === m.role) last.content += `\n\n${content}`;
    else out.push({ role: m.role, content });
  }
  if (pendingSystem) out.unshift({ role: 'user', content: pendingSystem });
  return out;
}

export class LmChatModel implements ChatModel {
  readonly id: string;

  constructor(private readonly model: vscode.LanguageModelChat) {
    this.id = `${model.vendor}/${model.family}`;
  }

  /** Picks a model by id or family (empty: the first available); throws a clear error when none exists.
   *  `fallback` for a name no model has: '' = the first available model, a model = that model. */
  static async select(selector: string, access?: vscode.LanguageModelAccessInformation, fallback?: '' | LmChatModel): Promise<LmChatModel> {
    const all = await vscode.lm.selectChatModels(selector ? undefined : { vendor: 'copilot' });
    const pool = all.length ? all : await vscode.lm.selectChatModels();
    const found = selector ? pool.find((m) => m.id === selector || m.family === selector || m.name === selector) : pool[0];
    if (!found && selector && fallback !== undefined) return fallback === '' ? LmChatModel.select('', access) : fallback;
    if (!found) {
      throw new RlmError(selector && pool.length ? `No VS Code language model named "${selector}". Available: ${pool.map((m) => m.family).join(', ')}.` : NO_LM_MESSAGE, 'no-model');
    }
    // undefined = not asked yet (VS Code asks on the first request, which comes from the user's command).
    if (access?.canSendRequest(found) === false) {
      throw new RlmError(`Access to ${found.name} was denied for RLM. Allow it again under Accounts > Manage Language Model Access, then ask again.`, 'lm-no-permission');
    }
    return new LmChatModel(found);
  }

  async complete(messages: ChatMessage[], options: CompleteOptions = {}): Promise<Completion> {
    const cts = new vscode.CancellationTokenSource();
    const onAbort = () => cts.cancel();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (options.signal?.aborted) throw new RlmError('The request was cancelled.', 'cancelled');
      const lmMessages = toLmMessages(messages).map((m) =>
        m.role === 'user' ? vscode.LanguageModelChatMessage.User(m.content) : vscode.LanguageModelChatMessage.Assistant(m.content),
      );
      let response: vscode.LanguageModelChatResponse;
      try {
        response = await this.model.sendRequest(lmMessages, { justification: 'RLM answers your question about this workspace.' }, cts.token);
      } catch (err) {
        throw this.explain(err);
      }
      let text = '';
      try {
        for await (const chunk of response.text) {
          text += chunk;
          options.onDelta?.(chunk);
        }
      } catch (err) {
        throw this.explain(err);
      }
      const promptTokens = await this.count(lmMessages.map((m) => m), cts.token);
      const completionTokens = await Promise.resolve(this.model.countTokens(text, cts.token)).catch(() => Math.ceil(text.length / 4));
      return { text, usage: { promptTokens, completionTokens }, model: this.id };
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      cts.dispose();
    }
  }

  private async count(messages: vscode.LanguageModelChatMessage[], token: vscode.CancellationToken): Promise<number> {
    let n = 0;
    for (const m of messages) n += await Promise.resolve(this.model.countTokens(m, token)).catch(() => 0);
    return n;
  }

  private explain(err: unknown): RlmError {
    if (err instanceof vscode.LanguageModelError) {
      if (err.code === vscode.LanguageModelError.NoPermissions.name) {
        return new RlmError(`Permission to use ${this.model.name} was not given. Run the question again and allow access when VS Code asks.`, 'lm-no-permission');
      }
      if (err.code === vscode.LanguageModelError.NotFound.name) return new RlmError(NO_LM_MESSAGE, 'no-model');
      if (err.code === vscode.LanguageModelError.Blocked.name) return new RlmError(`${this.model.name} refused the request (quota or policy).`, 'lm-blocked');
      return new RlmError(`${this.model.name} failed: ${err.message}`, 'lm-error');
    }
    if (err instanceof vscode.CancellationError) return new RlmError('The request was cancelled.', 'cancelled');
    return new RlmError(`${this.model.name} failed: ${err instanceof Error ? err.message : String(err)}`, 'lm-error');
  }
}
