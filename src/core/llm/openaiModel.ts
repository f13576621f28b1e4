import OpenAI, { APIUserAbortError } from 'openai';
import { Redactor } from '../trace/redact';
import { cancelledError, classifyFailure, EmptyChoices, type Failure, type FailureContext, Malformed, StreamFailed, StreamUnsupported, TimedOut, TooLarge } from './failures';
import { ModelError, type ModelErrorCode } from './modelError';
import { backoffDelay, sleepUnlessAborted } from './retry';
import { MODEL_REPLY_BYTES, readBounded, replyCutNote, SSE_LINE_CHARS, SseParser, type SseEvent } from './sse';
import type { ChatMessage, ChatModel, CompleteOptions, Completion, RetryInfo, TokenUsage } from './types';

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
  /** Called before each retry's wait: for progress output and for tests (a call's own `onRetry` too). */
  onRetry?: (info: RetryInfo) => void;
  /** Bytes read from one reply: a streamed reply is cut there (with a note), a plain one fails. Default 8 MiB. */
  maxReplyBytes?: number;
  /** Characters of one event-stream line. Default 1 MiB. */
  maxLineChars?: number;
}

export type { RetryInfo } from './types';

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
  private readonly maxReplyBytes: number;
  private readonly maxLineChars: number;
  private readonly maxTokensParam: 'max_tokens' | 'max_completion_tokens';
  /** Learned once per model instance: 'unknown' until a streamed request succeeds or cannot work. */
  private streaming: 'yes' | 'no' | 'unknown';
  private readonly failureContext: FailureContext;

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
    this.maxReplyBytes = options.maxReplyBytes ?? MODEL_REPLY_BYTES;
    this.maxLineChars = options.maxLineChars ?? SSE_LINE_CHARS;
    this.failureContext = {
      host: this.host,
      model: options.model,
      timeoutMs: this.timeoutMs,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
      redactor: this.redactor,
    };
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
        failure = classifyFailure(err, signal, this.failureContext);
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
          failure = classifyFailure(err, signal, this.failureContext);
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
      const info: RetryInfo = {
        attempt,
        maxRetries: this.maxRetries,
        delayMs,
        code: failure.error.code,
        status: failure.error.status,
        retryAfterMs: failure.retryAfterMs,
      };
      this.options.onRetry?.(info);
      options.onRetry?.(info);
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
    const response = await this.client.chat.completions
      .create({ ...this.body(messages, options), stream: false }, { signal, maxRetries: 0, timeout: this.timeoutMs })
      .asResponse();
    return this.fromBody(messages, options, await this.jsonOf(response));
  }

  /** A whole JSON reply, read up to the model reply limit (a reply over it cannot be parsed: it fails). */
  private async jsonOf(response: Response): Promise<unknown> {
    const parts: Uint8Array[] = [];
    const { cut } = await readBounded(response.body, this.maxReplyBytes, (bytes) => void parts.push(bytes));
    if (cut) throw new TooLarge(this.maxReplyBytes);
    return JSON.parse(Buffer.concat(parts).toString('utf8'));
  }

  private fromBody(messages: ChatMessage[], options: CompleteOptions, response: unknown): Completion {
    // A proxy can answer 200 with HTML or a truncated body.
    if (!response || typeof response !== 'object' || !Array.isArray((response as { choices?: unknown }).choices)) {
      throw new Malformed();
    }
    const r = response as OpenAI.Chat.Completions.ChatCompletion;
    const choice = r.choices[0];
    if (!choice) throw new EmptyChoices();
    const text = choice.message?.content ?? choice.message?.refusal ?? '';
    if (text) options.onDelta?.(text);
    return this.completion(messages, text, r.usage, choice.finish_reason ?? undefined);
  }

  /** A streamed request: SSE chunks parsed by our bounded parser (sse.ts), deltas passed on as they arrive. */
  private async streamed(
    messages: ChatMessage[],
    options: CompleteOptions,
    signal: AbortSignal,
    onProgress: () => void,
  ): Promise<Completion> {
    const response = await this.client.chat.completions
      .create(
        { ...this.body(messages, options), stream: true, stream_options: { include_usage: true } },
        { signal, maxRetries: 0, timeout: this.timeoutMs },
      )
      .asResponse();
    onProgress();
    const type = response.headers.get('content-type') ?? '';
    if (!/event-stream/i.test(type) && /json/i.test(type)) {
      // The endpoint ignored `stream: true` and answered whole: use that answer, and stop asking for streams.
      const body = await this.jsonOf(response);
      if (this.streaming === 'unknown') this.streaming = 'no';
      return this.fromBody(messages, options, body);
    }
    const parser = new SseParser(this.maxLineChars);
    let text = '';
    let chunks = 0;
    let sawChoice = false;
    let done = false;
    let usage: OpenAI.Completions.CompletionUsage | null | undefined;
    let finishReason: string | undefined;
    const take = (events: SseEvent[]) => {
      for (const e of events) {
        if (e.data === '[DONE]') return (done = true);
        let chunk: unknown;
        try {
          chunk = JSON.parse(e.data);
        } catch {
          throw new Malformed('an event-stream line that is not JSON');
        }
        chunks++;
        if (!chunk || typeof chunk !== 'object') throw new Malformed('an event-stream chunk that is not an object');
        const c = chunk as { error?: { message?: unknown }; usage?: OpenAI.Completions.CompletionUsage; choices?: OpenAI.Chat.Completions.ChatCompletionChunk.Choice[] };
        if (e.event === 'error' || c.error) throw new StreamFailed(typeof c.error?.message === 'string' ? c.error.message : 'no message');
        if (c.usage) usage = c.usage;
        const choice = Array.isArray(c.choices) ? c.choices[0] : undefined;
        if (!choice) continue;
        sawChoice = true;
        if (typeof choice.finish_reason === 'string') finishReason = choice.finish_reason;
        const delta = choice.delta?.content ?? choice.delta?.refusal ?? '';
        if (typeof delta === 'string' && delta) {
          text += delta;
          options.onDelta?.(delta);
        }
      }
      return false;
    };
    const { cut } = await readBounded(response.body, this.maxReplyBytes, (bytes) => {
      onProgress();
      return take(parser.push(bytes));
    });
    // A cut stream ends mid-line: what arrived whole stands, with the limit's note.
    if (cut) {
      const note = replyCutNote(this.maxReplyBytes);
      text += note;
      finishReason = 'length'; // not whole: never cached
      options.onDelta?.(note);
    } else if (!done) take(parser.end());
    // A stream that ended early because the request was aborted is never passed off as whole.
    if (signal.aborted) throw new APIUserAbortError();
    // No SSE events at all: the endpoint ignored `stream: true` (or cannot stream).
    if (chunks === 0) throw new StreamUnsupported();
    if (!sawChoice) throw new EmptyChoices();
    return this.completion(messages, text, usage, finishReason);
  }

  private completion(
    messages: ChatMessage[],
    text: string,
    usage: OpenAI.Completions.CompletionUsage | null | undefined,
    finishReason: string | undefined,
  ): Completion {
    const finish = typeof finishReason === 'string' ? { finishReason } : {};
    if (usage && typeof usage.prompt_tokens === 'number' && typeof usage.completion_tokens === 'number') {
      return {
        text,
        model: this.options.model,
        usage: { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens },
        ...finish,
      };
    }
    return { text, model: this.options.model, usage: estimateUsage(messages, text), usageEstimated: true, ...finish };
  }

  private cancelled(attempts: number): ModelError {
    return cancelledError(this.options.model, attempts);
  }
}

function withAttempts(e: ModelError, attempts: number): ModelError {
  return new ModelError(e.message, e.code, e.status, attempts);
}

/** Rough token count (chars / 4) for endpoints that report no usage; marked as estimated. */
export function estimateUsage(messages: ChatMessage[], text: string): TokenUsage {
  const promptChars = messages.reduce((n, m) => n + m.content.length + m.role.length + 4, 0);
  return { promptTokens: Math.ceil(promptChars / 4), completionTokens: Math.ceil(text.length / 4) };
}
