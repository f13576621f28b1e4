import { RlmError } from '../errors';

/**
 * Why a model call failed, as a stable code the engine and the CLI can branch on.
 * Messages are written for the user; they never carry the API key or the full base URL
 * (a URL can hold a key in its query), only its host.
 */
export type ModelErrorCode =
  | 'http-401' // bad or missing key
  | 'http-403' // key valid but not allowed
  | 'model-not-found' // 404 whose body talks about the model
  | 'bad-url' // 404 for anything else: wrong base URL or path
  | 'context-length' // 400: prompt larger than the model's window
  | 'http-400' // any other rejected request
  | 'rate-limited' // 429 after every retry
  | 'quota' // 429 insufficient_quota: no retry can help
  | 'server-error' // 5xx after every retry
  | 'timeout' // per-request timeout, after retries
  | 'unreachable' // connection refused / host not found
  | 'network' // reset or other transport failure, after retries
  | 'malformed-response' // body that is not the JSON we expect
  | 'empty-response' // no choices
  | 'cancelled'; // the caller's AbortSignal fired

export class ModelError extends RlmError {
  constructor(
    message: string,
    override readonly code: ModelErrorCode,
    /** HTTP status when the endpoint answered. */
    readonly status?: number,
    /** Requests sent before giving up (1 = no retry). */
    readonly attempts = 1,
  ) {
    super(message, code);
    this.name = 'ModelError';
  }
}

export function isCancelled(err: unknown): boolean {
  return err instanceof RlmError && err.code === 'cancelled';
}
