import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { Redactor } from '../trace/redact';
import { ModelError, type ModelErrorCode } from './modelError';
import { backoffDelay, parseRetryAfter, sleepUnlessAborted } from './retry';
import type { ChatMessage, ChatModel, CompleteOptions, Completion, TokenUsage } from './types';

export interface OpenAIChatModelOptions {
  /** e.g. https://api.openai.com/v1, http://localhost:11434/v1 */
  baseURL: string;
  apiKey: string;
  model: string;
  /** Per request. Non-streamed: the whole request; streamed: until the first chunk and between chunks. Default 120 s. */
  timeoutMs?: number;
  /** Retries after the first request for 429, 5xx, timeouts and network errors. Default 4. */
  maxRetries?: number;
  /** true: always stream; false: never; 'auto' (default): stream, and fall back for good if the endpoint cannot. */
  stream?: boolean | 'auto';
  fetch?: typeof fetch;
  /** First backoff step; doubles per retry, with jitter. Default 500 ms. */
  retryBaseMs?: number;
  /** Cap on one backoff step. Default 20 s. */
  retryMaxDelayMs?: number;
  /** Cap on a server's Retry-After. Default 60 s. */
  maxRetryAfterMs?: number;
  temperature?: number;
  /** Which request field carries maxTokens; default by host (OpenAI's own API wants max_completion_tokens). */
  maxTokensParam?: 'max_tokens' | 'max_completion_tokens';
  /** Extra request headers (e.g. OpenRouter's HTTP-Referer). Never logged. */
  headers?: Record<string, string>;
  /** Called before each retry's wait: for progress output and for tests. */
  onRetry?: (info: RetryInfo) => void;
}

export interface RetryInfo {
  /** The attempt that failed, 1-based. */
  attempt: number;
  delayMs: number;
  code: ModelErrorCode;
  status?: number;
  /** The server's Retry-After in ms (after the cap), when it sent one. */
  retryAfterMs?: number;
}

/** A failure classified once: what to tell the user and whether another request may help. */
interface Failure {
  error: ModelError;
  retryable: boolean;
  retryAfterMs?: number;
  /** Retries allowed for this kind of failure, below maxRetries (e.g. timeouts cost money: one retry). */
  kindLimit?: number;
  /** A streamed request the endpoint could not serve as a stream: try once more without streaming. */
  streamUnsupported?: boolean;
}

class TimedOut extends Error {}
class Malformed extends Error {}
class EmptyChoices extends Error {}

const CONTEXT_WORDING =
  /context[ _-]?length|context window|maximum context|too many tokens|prompt is too long|input is too long|reduce the length|exceeds? the (?:model'?s )?(?:maximum|max)|maximum.{0,40}tokens/i;

/**
 * ChatModel over any OpenAI-compatible endpoint, through the `openai` package.
 *
 * The SDK's own retries are off (maxRetries: 0): our loop caps Retry-After, stops at once on abort,
 * limits retries per kind of failure and turns every failure into a ModelError with a clear cause.
 * The SDK's timeout only covers the response headers, so the per-request timeout is our own timer.
 */
export class OpenAIChatModel implements ChatModel {
  readonly id: string;
  private readonly client: OpenAI;
  private readonly host: string;
  private readonly redactor: Redactor;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly maxTokensParam: 'max_tokens' | 'max_completion_tokens';
  /** Learned once per model instance: 'unknown' until a streamed request succeeds or cannot work. */
  private streaming: 'yes' | 'no' | 'unknown';

  constructor(private readonly options: OpenAIChatModelOptions) {
    let url: URL;
    try {
      url = new URL(options.baseURL);
    } catch {
      url = new URL('invalid:');
    }
    // "localhost:11434/v1" parses as a URL with scheme "localhost:": only http(s) can be an endpoint.
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ModelError('The model base URL must start with http:// or https:// (e.g. https://api.openai.com/v1).', 'bad-url');
    }
    this.id = options.model;
    this.host = url.host;
    this.redactor = new Redactor([options.apiKey]);
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.maxRetries = Math.max(0, options.maxRetries ?? 4);
    this.streaming = options.stream === false ? 'no' : options.stream === true ? 'yes' : 'unknown';
    this.maxTokensParam =
      options.maxTokensParam ?? (url.hostname === 'api.openai.com' ? 'max_completion_tokens' : 'max_tokens');
    this.client = new OpenAI({
      baseURL: options.baseURL,
      apiKey: options.apiKey,
      // Never pick up OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment into a foreign endpoint.
      organization: null,
      project: null,
      maxRetries: 0,
      timeout: this.timeoutMs,
      fetch: options.fetch,
      defaultHeaders: options.headers,
      // The SDK's logger could print request details; we report through errors and onRetry only.
      logLevel: 'off',
    });
  }

  /** Whether requests are currently streamed (false after a fallback). */
  get streams(): boolean {
    return this.streaming !== 'no';
  }

  async complete(messages: ChatMessage[], options: CompleteOptions = {}): Promise<Completion> {
    const { signal } = options;
    const kindCount = new Map<ModelErrorCode, number>();
    // Deltas already shown for a failed attempt: the consumer is told to discard them before a retry.
    let streamedSome = false;
    const onDelta = options.onDelta;
    if (onDelta) {
      options = {
        ...options,
        onDelta: (d) => {
          streamedSome = true;
          onDelta(d);
        },
      };
    }
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw this.cancelled(attempt - 1);
      let failure: Failure;
      try {
        return await this.attemptOnce(messages, options);
      } catch (err) {
        failure = this.classify(err, signal);
      }
      if (failure.streamUnsupported && this.streaming !== 'yes' && this.options.stream !== true) {
        // The endpoint cannot stream: ask once without streaming; if that works, never stream again.
        try {
          if (streamedSome) options.onDeltaReset?.();
          streamedSome = false;
          const completion = await this.attemptOnce(messages, options, false);
          this.streaming = 'no';
          return completion;
        } catch (err) {
          failure = this.classify(err, signal);
        }
      }
      const used = kindCount.get(failure.error.code) ?? 0;
      const limit = Math.min(this.maxRetries, failure.kindLimit ?? Infinity);
      if (!failure.retryable || attempt > this.maxRetries || used >= limit) {
        throw withAttempts(failure.error, attempt);
      }
      kindCount.set(failure.error.code, used + 1);
      const delayMs =
        failure.retryAfterMs !== undefined
          ? // At least what the server asked, plus up to 10% so a batch's calls do not all return at once.
            Math.round(failure.retryAfterMs + Math.random() * Math.min(failure.retryAfterMs * 0.1, 1000))
          : backoffDelay(attempt, this.options.retryBaseMs ?? 500, this.options.retryMaxDelayMs ?? 20_000);
      this.options.onRetry?.({
        attempt,
        delayMs,
        code: failure.error.code,
        status: failure.error.status,
        retryAfterMs: failure.retryAfterMs,
      });
      if (!(await sleepUnlessAborted(delayMs, signal))) throw this.cancelled(attempt);
      if (streamedSome) options.onDeltaReset?.();
      streamedSome = false;
    }
  }

  /** One HTTP request (streamed or not) under its own timeout, linked to the caller's signal. */
  private async attemptOnce(
    messages: ChatMessage[],
    options: CompleteOptions,
    stream = this.streaming !== 'no',
  ): Promise<Completion> {
    const controller = new AbortController();
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, this.timeoutMs);
    };
    const onAbort = () => controller.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    arm();
    try {
      const completion = stream
        ? await this.streamed(messages, options, controller.signal, arm)
        : await this.plain(messages, options, controller.signal);
      if (stream && this.streaming === 'unknown') this.streaming = 'yes'; // (unless streamed() learned 'no')
      return completion;
    } catch (err) {
      if (timedOut) throw new TimedOut();
      throw err;
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  private body(messages: ChatMessage[], options: CompleteOptions) {
    return {
      model: this.options.model,
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      ...(options.maxTokens !== undefined ? { [this.maxTokensParam]: options.maxTokens } : {}),
      ...(this.options.temperature !== undefined ? { temperature: this.options.temperature } : {}),
    };
  }

  private async plain(messages: ChatMessage[], options: CompleteOptions, signal: AbortSignal): Promise<Completion> {
    const response: unknown = await this.client.chat.completions.create(
      { ...this.body(messages, options), stream: false },
      { signal, maxRetries: 0, timeout: this.timeoutMs },
    );
    return this.fromBody(messages, options, response);
  }

  private fromBody(messages: ChatMessage[], options: CompleteOptions, response: unknown): Completion {
    // A proxy can answer 200 with HTML or a truncated body: the SDK then hands back a string.
    if (!response || typeof response !== 'object' || !Array.isArray((response as { choices?: unknown }).choices)) {
      throw new Malformed();
    }
    const r = response as OpenAI.Chat.Completions.ChatCompletion;
    const choice = r.choices[0];
    if (!choice) throw new EmptyChoices();
    const text = choice.message?.content ?? choice.message?.refusal ?? '';
    if (text) options.onDelta?.(text);
    return this.completion(messages, text, r.usage);
  }

  private async streamed(
    messages: ChatMessage[],
    options: CompleteOptions,
    signal: AbortSignal,
    onProgress: () => void,
  ): Promise<Completion> {
    const { data: stream, response } = await this.client.chat.completions
      .create(
        { ...this.body(messages, options), stream: true, stream_options: { include_usage: true } },
        { signal, maxRetries: 0, timeout: this.timeoutMs },
      )
      .withResponse();
    onProgress();
    const type = response.headers.get('content-type') ?? '';
    if (!/event-stream/i.test(type) && /json/i.test(type)) {
      // The endpoint ignored `stream: true` and answered whole: use that answer, and stop asking for streams.
      const body: unknown = await response.json();
      if (this.streaming === 'unknown') this.streaming = 'no';
      return this.fromBody(messages, options, body);
    }
    let text = '';
    let chunks = 0;
    let sawChoice = false;
    let usage: OpenAI.Completions.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      onProgress();
      chunks++;
      if (!chunk || typeof chunk !== 'object') throw new Malformed();
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      sawChoice = true;
      const delta = choice.delta?.content ?? choice.delta?.refusal ?? '';
      if (delta) {
        text += delta;
        options.onDelta?.(delta);
      }
    }
    // The SDK ends the iteration quietly when the request is aborted: never pass off a cut stream as whole.
    if (signal.aborted) throw new APIUserAbortError();
    // No SSE events at all: the endpoint ignored `stream: true` (or cannot stream).
    if (chunks === 0) throw new StreamUnsupported();
    if (!sawChoice) throw new EmptyChoices();
    return this.completion(messages, text, usage);
  }

  private completion(
    messages: ChatMessage[],
    text: string,
    usage: OpenAI.Completions.CompletionUsage | null | undefined,
  ): Completion {
    if (usage && typeof usage.prompt_tokens === 'number' && typeof usage.completion_tokens === 'number') {
      return {
        text,
        model: this.options.model,
        usage: { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens },
      };
    }
    return { text, model: this.options.model, usage: estimateUsage(messages, text), usageEstimated: true };
  }

  private classify(err: unknown, signal: AbortSignal | undefined): Failure {
    if (signal?.aborted || err instanceof APIUserAbortError) {
      return { error: this.cancelled(1), retryable: false };
    }
    const at = `the model endpoint at ${this.host}`;
    if (err instanceof TimedOut || err instanceof APIConnectionTimeoutError) {
      return {
        error: new ModelError(
          `No answer from ${at} within ${Math.round(this.timeoutMs / 1000)} s (model ${this.options.model}).`,
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
    if (err instanceof Malformed || err instanceof SyntaxError) {
      return {
        error: new ModelError(`${cap(at)} sent a reply that is not a valid chat completion.`, 'malformed-response'),
        retryable: true,
        kindLimit: 2,
      };
    }
    if (err instanceof EmptyChoices) {
      return {
        error: new ModelError(`${cap(at)} answered with no choices (model ${this.options.model}).`, 'empty-response'),
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
    if (err instanceof APIError && typeof err.status === 'number') return this.classifyStatus(err, err.status);
    return {
      error: new ModelError(`The request to ${at} failed (${this.serverMessage(err) || 'unknown error'}).`, 'network'),
      retryable: true,
    };
  }

  private classifyStatus(err: APIError, status: number): Failure {
    const at = `the model endpoint at ${this.host}`;
    const said = this.serverMessage(err);
    const detail = said ? `: ${said}` : '';
    const model = this.options.model;
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
          error: new ModelError(`Model "${model}" is not known at ${this.host} (404)${detail}`, 'model-not-found', 404),
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
        error: new ModelError(`The account behind the API key has no quota left at ${this.host} (429)${detail}`, 'quota', 429),
        retryable: false,
      };
    }
    if (status === 408 || status === 409 || status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(err.headers, this.options.maxRetryAfterMs ?? 60_000);
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
    const stream = /stream/i.test(said) || status === 405 || status === 415 || status === 501;
    return {
      error: new ModelError(`${cap(at)} rejected the request (${status})${detail}`, 'http-400', status),
      retryable: false,
      streamUnsupported: stream,
    };
  }

  /** The endpoint's own explanation, redacted and bounded. */
  private serverMessage(err: unknown): string {
    let msg = '';
    if (err instanceof APIError) {
      const body = err.error as { message?: unknown } | string | undefined;
      if (body && typeof body === 'object' && typeof body.message === 'string') msg = body.message;
      else if (typeof body === 'string') msg = body;
    }
    if (!msg && err instanceof Error) msg = err.message;
    msg = this.redactor.text(String(msg)).replace(/\s+/g, ' ').trim();
    return msg.length > 300 ? `${msg.slice(0, 300)}…` : msg;
  }

  private cancelled(attempts: number): ModelError {
    return new ModelError(`The request to model ${this.options.model} was cancelled.`, 'cancelled', undefined, attempts);
  }
}

class StreamUnsupported extends Error {}

function withAttempts(e: ModelError, attempts: number): ModelError {
  return new ModelError(e.message, e.code, e.status, attempts);
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

/** Rough token count (chars / 4) for endpoints that report no usage; marked as estimated. */
export function estimateUsage(messages: ChatMessage[], text: string): TokenUsage {
  const promptChars = messages.reduce((n, m) => n + m.content.length + m.role.length + 4, 0);
  return { promptTokens: Math.ceil(promptChars / 4), completionTokens: Math.ceil(text.length / 4) };
}
