/**
 * The RLM output channel's record of model requests, for troubleshooting: model, outcome (tokens
 * or error code and HTTP status), retries and time. Never a key, a prompt or a reply: only the
 * model id, numbers and the error's code are written. Retries also reach the live panel's status
 * line (onModelRetry), so a slow or failing endpoint shows as "retrying", not as a silent wait.
 */
import * as vscode from 'vscode';
import type { RetryInfo } from '../core/llm/openaiModel';
import type { ChatMessage, ChatModel, CompleteOptions, Completion } from '../core/llm/types';

let channel: vscode.LogOutputChannel | undefined;
const retried = new vscode.EventEmitter<string>();

/** Fires a one-line status ("fake-x: HTTP 503, retrying in 1.2 s (attempt 2 of 5)") before each retry's wait. */
export const onModelRetry = retried.event;

/** One informational line in the RLM output channel (e.g. which engine answered outline()). */
export function logInfo(text: string): void {
  channel?.info(text);
}

export function setRequestLog(log: vscode.LogOutputChannel | undefined): void {
  channel = log;
}

/** What a retry looks like in the log and the panel. */
export function retryText(model: string, info: RetryInfo, maxRetries: number): string {
  const why = info.status !== undefined ? `HTTP ${info.status}` : info.code;
  return `${model}: ${why}, retrying in ${(info.delayMs / 1000).toFixed(1)} s (attempt ${info.attempt + 1} of ${maxRetries + 1})`;
}

/** The onRetry hook for an OpenAIChatModel of `model`. */
export function retryObserver(model: string, maxRetries: number): (info: RetryInfo) => void {
  return (info) => {
    const text = retryText(model, info, maxRetries);
    channel?.warn(`model request: ${text}`);
    retried.fire(text);
  };
}

/** `model` with every request logged (outcome and time; no contents). */
export function logged(model: ChatModel): ChatModel {
  return {
    id: model.id,
    async complete(messages: ChatMessage[], options?: CompleteOptions): Promise<Completion> {
      const started = Date.now();
      try {
        const c = await model.complete(messages, options);
        const est = c.usageEstimated ? ' (estimated)' : '';
        channel?.info(`model request: ${model.id} ok in ${Date.now() - started} ms, ${c.usage.promptTokens} prompt + ${c.usage.completionTokens} completion tokens${est}`);
        return c;
      } catch (err) {
        const e = err as { code?: unknown; status?: unknown; attempts?: unknown };
        const code = typeof e.code === 'string' ? e.code : 'error';
        const status = typeof e.status === 'number' ? ` HTTP ${e.status}` : '';
        const attempts = typeof e.attempts === 'number' && e.attempts > 1 ? ` after ${e.attempts} attempts` : '';
        channel?.warn(`model request: ${model.id} failed (${code}${status})${attempts} in ${Date.now() - started} ms`);
        throw err;
      }
    },
  };
}
