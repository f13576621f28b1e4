import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { Redactor } from '../trace/redact';
import { ModelError, type ModelErrorCode } from './modelError';
import { parseRetryAfter } from './retry';
import { formatBytes, SseError } from './sse';

/**
 * Turns anything a model request can throw into one ModelError with a clear cause, and decides
 * whether another request may help. Messages name the endpoint's host only (a URL can carry a key
 * in its query) and pass the server's own words through the key redactor.
 */

/** Markers thrown by the client for failures the SDK does not report itself. */
export class TimedOut extends Error {}
/** A reply that is not a chat completion; the message (ours, never the server's) says what was wrong. */
export class Malformed extends Error {}
export class EmptyChoices extends Error {}
export class StreamUnsupported extends Error {}
/** The stream carried an error object (its message is the server's: redacted before use). */
export class StreamFailed extends Error {}
/** A plain (non-streamed) reply over the model reply limit. */
export class TooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super('too large');
  }
}

/** A failure classified once: what to tell the user and whether another request may help. */
export interface Failure {
  error: ModelError;
  retryable: boolean;
  retryAfterMs?: number;
  /** Retries allowed for this kind of failure, below maxRetries (e.g. timeouts cost money: one retry). */
  kindLimit?: number;
  /** A streamed request the endpoint could not serve as a stream: try once more without streaming. */
  streamUnsupported?: boolean;
}

export interface FailureContext {
  host: string;
  model: string;
  timeoutMs: number;
  maxRetryAfterMs: number;
  redactor: Redactor;
}

const CONTEXT_WORDING =
  /context[ _-]?length|context window|maximum context|too many tokens|prompt is too long|input is too long|reduce the length|exceeds? the (?:model'?s )?(?:maximum|max)|maximum.{0,40}tokens/i;

export function cancelledError(model: string, attempts: number): ModelError {
  return new ModelError(`The request to model ${model} was cancelled.`, 'cancelled', undefined, attempts);
}

export function classifyFailure(err: unknown, signal: AbortSignal | undefined, ctx: FailureContext): Failure {
  if (signal?.aborted || err instanceof APIUserAbortError) {
    return { error: cancelledError(ctx.model, 1), retryable: false };
  }
  const at = `the model endpoint at ${ctx.host}`;
  if (err instanceof TimedOut || err instanceof APIConnectionTimeoutError) {
    return {
      error: new ModelError(
        `No answer from ${at} within ${Math.round(ctx.timeoutMs / 1000)} s (model ${ctx.model}).`,
        'timeout',
      ),
      retryable: true,
      // A timed-out request may still be billed: one retry, not maxRetries.
      kindLimit: 1,
    };
  }
  if (err instanceof StreamUnsupported) {
    return {
      error: new ModelError(`${cap(at)} sent an empty stream.`, 'malformed-response'),
      retryable: true,
      kindLimit: 2,
      streamUnsupported: true,
    };
  }
  if (err instanceof SseError) {
    // A broken or oversized stream: the same request would break the same way.
    return { error: new ModelError(`${cap(at)} sent ${err.message}; the reply was dropped.`, 'malformed-response'), retryable: false };
  }
  if (err instanceof TooLarge) {
    return {
      error: new ModelError(`${cap(at)} sent a reply over ${formatBytes(err.maxBytes)} (the model reply limit); ask for a shorter answer or use a streaming endpoint.`, 'malformed-response'),
      retryable: false,
    };
  }
  if (err instanceof StreamFailed) {
    const said = serverMessage(err, ctx);
    return { error: new ModelError(`${cap(at)} reported an error in the middle of its stream: ${said}`, 'server-error'), retryable: true, kindLimit: 2 };
  }
  if (err instanceof Malformed || err instanceof SyntaxError) {
    const what = err instanceof Malformed && err.message ? err.message : 'a reply that is not a valid chat completion';
    return {
      error: new ModelError(`${cap(at)} sent ${what}.`, 'malformed-response'),
      retryable: true,
      kindLimit: 2,
    };
  }
  if (err instanceof EmptyChoices) {
    return {
      error: new ModelError(`${cap(at)} answered with no choices (model ${ctx.model}).`, 'empty-response'),
      retryable: true,
      kindLimit: 2,
    };
  }
  if (err instanceof APIConnectionError) {
    const code = systemCode(err);
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      const why = code === 'ECONNREFUSED' ? 'connection refused; is the server running?' : 'host not found';
      return {
        error: new ModelError(`Cannot reach ${at} (${why}). Check the base URL.`, 'unreachable'),
        retryable: true,
        kindLimit: 1,
      };
    }
    return {
      error: new ModelError(`The connection to ${at} failed (${code ?? 'network error'}).`, 'network'),
      retryable: true,
    };
  }
  if (err instanceof APIError && typeof err.status === 'number') return classifyStatus(err, err.status, ctx);
  return {
    error: new ModelError(`The request to ${at} failed (${serverMessage(err, ctx) || 'unknown error'}).`, 'network'),
    retryable: true,
  };
}

function classifyStatus(err: APIError, status: number, ctx: FailureContext): Failure {
  const at = `the model endpoint at ${ctx.host}`;
  const said = serverMessage(err, ctx);
  const detail = said ? `: ${said}` : '';
  const model = ctx.model;
  if (status === 401) {
    return { error: new ModelError(`${cap(at)} rejected the API key (401). Check the key.`, 'http-401', 401), retryable: false };
  }
  if (status === 403) {
    return {
      error: new ModelError(`${cap(at)} refused access (403) for model ${model}${detail}`, 'http-403', 403),
      retryable: false,
    };
  }
  if (status === 404) {
    const body = `${said} ${JSON.stringify(err.error ?? '')}`;
    if (/model/i.test(body)) {
      return {
        error: new ModelError(`Model "${model}" is not known at ${ctx.host} (404)${detail}`, 'model-not-found', 404),
        retryable: false,
      };
    }
    return {
      error: new ModelError(
        `Nothing at ${at} answers chat completions (404). Check the base URL (it usually ends in /v1).`,
        'bad-url',
        404,
      ),
      retryable: false,
    };
  }
  if (status === 429 && /insufficient_quota|exceeded your current quota|billing/i.test(`${said} ${JSON.stringify(err.error ?? '')}`)) {
    // OpenAI answers 429 for an exhausted account too; waiting does not refill it.
    return {
      error: new ModelError(`The account behind the API key has no quota left at ${ctx.host} (429)${detail}`, 'quota', 429),
      retryable: false,
    };
  }
  if (status === 501) {
    // "Not implemented": typically a server that cannot stream; retrying the same request cannot help.
    return { error: new ModelError(`${cap(at)} does not implement this request (501)${detail}`, 'http-400', 501), retryable: false, streamUnsupported: true };
  }
  if (status === 408 || status === 409 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(err.headers, ctx.maxRetryAfterMs);
    const code: ModelErrorCode = status === 429 ? 'rate-limited' : 'server-error';
    const what = status === 429 ? 'is rate-limiting requests' : `failed with a server error`;
    return {
      error: new ModelError(`${cap(at)} ${what} (${status})${detail}`, code, status),
      retryable: true,
      retryAfterMs,
    };
  }
  if (status === 400 && CONTEXT_WORDING.test(said)) {
    return {
      error: new ModelError(`The prompt is too long for model ${model} (400)${detail}`, 'context-length', 400),
      retryable: false,
    };
  }
  const stream = /stream/i.test(said) || status === 405 || status === 415;
  return {
    error: new ModelError(`${cap(at)} rejected the request (${status})${detail}`, 'http-400', status),
    retryable: false,
    streamUnsupported: stream,
  };
}

/** The endpoint's own explanation, redacted and bounded. */
function serverMessage(err: unknown, ctx: FailureContext): string {
  let msg = '';
  if (err instanceof APIError) {
    const body = err.error as { message?: unknown } | string | undefined;
    if (body && typeof body === 'object' && typeof body.message === 'string') msg = body.message;
    else if (typeof body === 'string') msg = body;
  }
  if (!msg && err instanceof Error) msg = err.message;
  msg = ctx.redactor.text(String(msg)).replace(/\s+/g, ' ').trim();
  return msg.length > 300 ? `${msg.slice(0, 300)}…` : msg;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The errno-style code somewhere in an error's cause chain (fetch wraps it twice). */
function systemCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 6 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
