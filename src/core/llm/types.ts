export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface Completion {
  text: string;
  usage: TokenUsage;
  /** The model that answered (as configured, not as the endpoint spells it). */
  model: string;
  /** True when the endpoint reported no usage and the counts are estimated (chars / 4). */
  usageEstimated?: boolean;
  /** The endpoint's finish reason when it gave one ('stop', 'length', ...): a 'length' reply was cut and is never cached. */
  finishReason?: string;
  /** Served from the reply cache (or a resumed run's trajectory): no request was made, nothing was paid. */
  cached?: boolean;
}

export interface CompleteOptions {
  signal?: AbortSignal;
  maxTokens?: number;
  /** Streamed text as it arrives, when the endpoint streams. */
  onDelta?: (text: string) => void;
  /** A streamed attempt failed after some deltas and the call is being retried: discard the deltas seen so far. */
  onDeltaReset?: () => void;
  /** Extra text in the reply cache's key (root turns: the workspace fingerprint), never sent. */
  cacheSalt?: string;
  /** Before each retry's wait (the OpenAI-compatible client; vscode.lm does not retry). */
  onRetry?: (info: RetryInfo) => void;
}

/** One retry of a model request, told before its wait. */
export interface RetryInfo {
  /** The attempt that failed, 1-based. */
  attempt: number;
  /** Retries the client allows after the first request. */
  maxRetries: number;
  delayMs: number;
  /** Why (a ModelErrorCode). */
  code: string;
  status?: number;
  /** The server's Retry-After in ms (after the cap), when it sent one. */
  retryAfterMs?: number;
}

/** A chat model: the OpenAI-compatible client in core, or `vscode.lm` in the extension. */
export interface ChatModel {
  readonly id: string;
  complete(messages: ChatMessage[], options?: CompleteOptions): Promise<Completion>;
  /** A stored reply for exactly this request, without asking the model (`withReplyCache`); undefined on a miss. */
  lookup?(messages: ChatMessage[], options?: CompleteOptions): Promise<Completion | undefined>;
}

/** Per-model usage totals. */
export interface ModelUsage extends TokenUsage {
  calls: number;
}

/** USD per million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
}

export type PriceTable = Record<string, ModelPrice>;
