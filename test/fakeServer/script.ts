/**
 * What the fake OpenAI-compatible server answers: a script, plain data (JSON-able, so a separate
 * process can load it from a file) plus optional functions for in-process tests.
 */

export interface FakeMessage {
  role: string;
  content: string;
}

/** What a rule sees about one chat request. */
export interface FakeRequestInfo {
  model: string;
  messages: FakeMessage[];
  /** 0-based index of this request among all chat requests the server received. */
  index: number;
  /** 0-based count of this model's turns used before this request (faults from `faults` use none). */
  turn: number;
  stream: boolean;
}

/** A reply rule as data: the first entry whose regex matches the last user message wins. */
export interface DeclarativeRule {
  replies?: { match: string; flags?: string; reply: string }[];
  /** Reply when nothing matches; "{prompt}" is replaced by the last user message (first 200 chars). */
  fallback?: string;
}

export type ReplyRule = ((req: FakeRequestInfo) => string) | DeclarativeRule;

export type FaultKind =
  | 'rate-limit' // 429, with Retry-After when `retryAfter` is set
  | 'quota' // 429 insufficient_quota (an exhausted account: not worth retrying)
  | 'server-error' // 500 (or `status`)
  | 'hang' // headers never sent; the request stays open until the client gives up or the server closes
  | 'stall' // streamed: one chunk ("partial") sent, then nothing (non-streamed: same as hang)
  | 'malformed' // 200 with a JSON body cut in half
  | 'reset' // socket destroyed without a response
  | 'empty-choices' // 200 with `choices: []`
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'unknown-model' // 404 naming the model (code model_not_found)
  | 'context-too-long' // 400 with context-length wording
  | 'bad-request' // 400 with a generic message
  | 'no-stream'; // 400 "streaming is not supported" for streamed requests; non-streamed requests pass

export interface FaultRule {
  fault: FaultKind;
  /** Fire on this global request index (0-based, all chat requests). */
  request?: number;
  /** Only for this model. */
  model?: string;
  /** With `model`: fire on this 0-based index among that model's chat requests (faulted ones included). */
  call?: number;
  /** How many times the rule may fire; default 1 when `request`/`call` is set, else unlimited. */
  times?: number;
  /** For rate-limit: the Retry-After header value ("2" or an HTTP date). */
  retryAfter?: string;
  /** For server-error: the status (default 500). */
  status?: number;
  /** For bad-request: the error message the endpoint sends. */
  message?: string;
}

/** One scripted reply: text, or text with its own latency, or a fault instead of a reply. */
export type Turn = string | { text?: string; latencyMs?: number; chunkDelayMs?: number; fault?: FaultKind; retryAfter?: string; status?: number; message?: string; finishReason?: string };

export interface FakeModelScript {
  /** Replies in order, one per successful request to this model; after the last, the rule answers. */
  turns?: Turn[];
  /** Answers once the turns run out (or when there are none). */
  rule?: ReplyRule;
  latencyMs?: number;
  /** Pause before each streamed content chunk of this model's replies, in ms. */
  chunkDelayMs?: number;
  /** Prompt tokens above this (≈ chars / 4) get the 400 context-length error. */
  contextTokens?: number;
}

export interface FakeScript {
  models?: Record<string, FakeModelScript>;
  /** Answers for models without turns/rule of their own (e.g. the sub-model). Default: echo. */
  rule?: ReplyRule;
  /** Delay before each reply, in ms (default 0). */
  latencyMs?: number;
  faults?: FaultRule[];
  /** When set, requests without `Authorization: Bearer <apiKey>` get 401. */
  apiKey?: string;
  /** Unknown models (not in `models`) get 404 model_not_found. Default false: any model is answered. */
  strictModels?: boolean;
  /**
   * false: streamed requests get 400 "streaming is not supported"; 'ignore': they get a plain JSON
   * reply, as from a server that does not know the flag. Default true.
   */
  streaming?: boolean | 'ignore';
  /** false: replies carry no `usage` (clients must estimate). Default true. */
  usage?: boolean;
  /** Characters per SSE chunk when streaming (default 16). */
  chunkChars?: number;
  /** Slow streaming: a pause before each SSE content chunk, in ms (default 0; also per model and per turn). */
  chunkDelayMs?: number;
  /** Request bodies above this many bytes get 413 (default 32 MB). */
  maxBodyBytes?: number;
}

export function lastUserMessage(messages: FakeMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') return messages[i].content;
  return '';
}

export function applyRule(rule: ReplyRule | undefined, req: FakeRequestInfo): string {
  if (typeof rule === 'function') return rule(req);
  const prompt = lastUserMessage(req.messages);
  for (const r of rule?.replies ?? []) {
    if (new RegExp(r.match, r.flags).test(prompt)) return r.reply;
  }
  const fallback = rule?.fallback ?? 'fake reply to: {prompt}';
  return fallback.replace('{prompt}', prompt.slice(0, 200));
}

/** ≈ chars / 4, as documented for the script's usage numbers. */
export function tokensOf(chars: number): number {
  return Math.ceil(chars / 4);
}

export function promptChars(messages: FakeMessage[]): number {
  return messages.reduce((n, m) => n + String(m.content ?? '').length, 0);
}
