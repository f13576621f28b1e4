import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  applyRule,
  type FakeMessage,
  type FakeModelScript,
  type FakeRequestInfo,
  type FakeScript,
  type FaultKind,
  type FaultRule,
  promptChars,
  tokensOf,
} from './script';

export * from './script';

/** One request as the server saw it (chat requests and others). */
export interface RecordedRequest {
  /** 0-based among chat requests; -1 for other paths. */
  index: number;
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  /** Size of the body as received, in bytes. */
  bytes: number;
  model?: string;
  stream?: boolean;
  /** What the server did: 'reply' or the fault it injected. */
  outcome?: 'reply' | FaultKind | 'aborted';
  /** performance.now() when the whole body had arrived (benchmarks in the same process time requests by it). */
  at?: number;
}

export interface FakeServer {
  /** Base URL including /v1, e.g. http://127.0.0.1:41234/v1 */
  url: string;
  requests: RecordedRequest[];
  /** Chat requests being handled right now, and the most there ever were at once. */
  stats(): { inFlight: number; maxInFlight: number; chatRequests: number };
  close(): Promise<void>;
}

/** Oldest recorded requests are dropped past this, so a long benchmark stays bounded. */
const MAX_RECORDED = 20_000;

interface FaultToSend {
  fault: FaultKind;
  retryAfter?: string;
  status?: number;
  message?: string;
}

/**
 * A loopback OpenAI-compatible server for tests: real HTTP, scripted replies, injected faults.
 * Listens on 127.0.0.1 only, on an ephemeral port; close() ends hanging requests too.
 */
export async function startFakeServer(script: FakeScript = {}): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const fired = new Map<FaultRule, number>();
  const perModelCalls = new Map<string, number>();
  const turnsUsed = new Map<string, number>();
  let chatCount = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let closed = false;

  const server = http.createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: 'fake server bug' } });
      else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const raw = await readBody(req, script.maxBodyBytes ?? 32 * 1024 * 1024);
    if (raw === undefined) return sendJson(res, 413, { error: { message: 'request body too large' } });
    let body: unknown = raw;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      /* keep the raw text */
    }
    const record: RecordedRequest = { index: -1, method: req.method ?? 'GET', path, headers: req.headers, body, bytes: Buffer.byteLength(raw), at: performance.now() };
    remember(record);

    if (req.method === 'GET' && path === '/v1/models') {
      // Like real providers, the list needs the key too.
      if (script.apiKey !== undefined && req.headers.authorization !== `Bearer ${script.apiKey}`) {
        return sendJson(res, 401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } });
      }
      const ids = Object.keys(script.models ?? {});
      return sendJson(res, 200, { object: 'list', data: ids.map((id) => ({ id, object: 'model', owned_by: 'fake' })) });
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      return sendJson(res, 404, { error: { message: `Unknown request URL: ${req.method} ${path}`, type: 'invalid_request_error' } });
    }

    const chat = body as { model?: unknown; messages?: unknown; stream?: unknown; stream_options?: { include_usage?: unknown } };
    if (!chat || typeof chat !== 'object' || typeof chat.model !== 'string' || !Array.isArray(chat.messages)) {
      return sendJson(res, 400, { error: { message: 'model and messages are required', type: 'invalid_request_error' } });
    }
    const model = chat.model;
    const messages = (chat.messages as FakeMessage[]).map((m) => ({ role: String(m?.role), content: String(m?.content ?? '') }));
    const stream = chat.stream === true && script.streaming !== 'ignore';
    const includeUsage = stream && chat.stream_options?.include_usage === true && script.usage !== false;
    const index = chatCount++;
    const call = perModelCalls.get(model) ?? 0;
    perModelCalls.set(model, call + 1);
    Object.assign(record, { index, model, stream });

    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let counted = true;
    const done = () => {
      if (counted) inFlight--;
      counted = false;
    };
    res.on('close', done);

    const modelScript: FakeModelScript | undefined = script.models?.[model];
    const auth = req.headers.authorization ?? '';
    let fault: FaultToSend | undefined;
    if (script.apiKey !== undefined && auth !== `Bearer ${script.apiKey}`) fault = { fault: 'unauthorized' };
    else if (script.strictModels && !modelScript) fault = { fault: 'unknown-model' };
    else if (stream && script.streaming === false) fault = { fault: 'no-stream' };
    else if (modelScript?.contextTokens !== undefined && tokensOf(promptChars(messages)) > modelScript.contextTokens) {
      fault = { fault: 'context-too-long' };
    }
    fault ??= pickFault(index, model, call, stream);

    // The next scripted turn (a turn may itself be a fault; it is consumed either way).
    let text: string | undefined;
    let finishReason = 'stop';
    let latency = modelScript?.latencyMs ?? script.latencyMs ?? 0;
    let chunkDelay = modelScript?.chunkDelayMs ?? script.chunkDelayMs ?? 0;
    if (!fault) {
      const used = turnsUsed.get(model) ?? 0;
      const turn = modelScript?.turns?.[used];
      const info: FakeRequestInfo = { model, messages, index, turn: used, stream };
      if (turn !== undefined) {
        turnsUsed.set(model, used + 1);
        if (typeof turn === 'string') text = turn;
        else {
          if (turn.latencyMs !== undefined) latency = turn.latencyMs;
          if (turn.chunkDelayMs !== undefined) chunkDelay = turn.chunkDelayMs;
          if (turn.fault) fault = { fault: turn.fault, retryAfter: turn.retryAfter, status: turn.status, message: turn.message };
          else text = turn.text ?? '';
          if (turn.finishReason) finishReason = turn.finishReason;
        }
      } else {
        turnsUsed.set(model, used + 1);
        text = applyRule(modelScript?.rule ?? script.rule, info);
      }
    }

    if (latency > 0 && !(await wait(latency, res))) {
      record.outcome = 'aborted';
      return;
    }
    if (closed) return void res.destroy();
    record.outcome = fault ? fault.fault : 'reply';
    if (fault) return sendFault(res, fault, { model, stream, auth, messages });
    const usage = {
      prompt_tokens: tokensOf(promptChars(messages)),
      completion_tokens: tokensOf((text ?? '').length),
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    if (stream) return void sendStream(res, model, text ?? '', includeUsage ? usage : undefined, false, chunkDelay, finishReason);
    return sendJson(res, 200, {
      id: `chatcmpl-fake-${index}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: text ?? '' }, finish_reason: finishReason }],
      ...(script.usage === false ? {} : { usage }),
    });
  }

  function pickFault(index: number, model: string, call: number, stream: boolean): FaultToSend | undefined {
    for (const rule of script.faults ?? []) {
      if (rule.request !== undefined && rule.request !== index) continue;
      if (rule.model !== undefined && rule.model !== model) continue;
      if (rule.call !== undefined && rule.call !== call) continue;
      if (rule.fault === 'no-stream' && !stream) continue;
      const limit = rule.times ?? (rule.request !== undefined || rule.call !== undefined ? 1 : Infinity);
      const n = fired.get(rule) ?? 0;
      if (n >= limit) continue;
      fired.set(rule, n + 1);
      return { fault: rule.fault, retryAfter: rule.retryAfter, status: rule.status, message: rule.message };
    }
    return undefined;
  }

  function remember(r: RecordedRequest): void {
    requests.push(r);
    if (requests.length > MAX_RECORDED) requests.splice(0, requests.length - MAX_RECORDED);
  }

  /** Resolves true after ms, false if the client went away or the server closed meanwhile. */
  function wait(ms: number, res: http.ServerResponse): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        res.off('close', onClose);
        resolve(!closed && !res.destroyed);
      }, ms);
      const onClose = () => {
        clearTimeout(timer);
        resolve(false);
      };
      res.once('close', onClose);
    });
  }

  function sendStream(
    res: http.ServerResponse,
    model: string,
    text: string,
    usage: Record<string, number> | undefined,
    stallAfterFirst = false,
    chunkDelayMs = 0,
    finishReason = 'stop',
  ): Promise<void> | void {
    const size = Math.max(1, script.chunkChars ?? 16);
    const base = { id: `chatcmpl-fake-s`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model };
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
    send({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
    if (stallAfterFirst) {
      // One piece of content, then silence until the client gives up or the server closes.
      send({ ...base, choices: [{ index: 0, delta: { content: text.slice(0, size) }, finish_reason: null }] });
      return;
    }
    const finish = () => {
      send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: finishReason }] });
      if (usage) send({ ...base, choices: [], usage });
      res.end('data: [DONE]\n\n');
    };
    if (chunkDelayMs <= 0) {
      for (let i = 0; i < text.length; i += size) {
        send({ ...base, choices: [{ index: 0, delta: { content: text.slice(i, i + size) }, finish_reason: null }] });
      }
      return finish();
    }
    // Slow mode: each chunk after a pause, with a keep-alive comment between (as real servers send).
    return (async () => {
      for (let i = 0; i < text.length; i += size) {
        if (!(await wait(chunkDelayMs, res))) return;
        res.write(': keep-alive\n\n');
        send({ ...base, choices: [{ index: 0, delta: { content: text.slice(i, i + size) }, finish_reason: null }] });
      }
      finish();
    })();
  }

  function sendFault(
    res: http.ServerResponse,
    f: FaultToSend,
    ctx: { model: string; stream: boolean; auth: string; messages: FakeMessage[] },
  ): void {
    switch (f.fault) {
      case 'rate-limit':
        return sendJson(
          res,
          429,
          { error: { message: 'Rate limit reached for requests', type: 'rate_limit_error', code: 'rate_limit_exceeded' } },
          f.retryAfter !== undefined ? { 'retry-after': f.retryAfter } : {},
        );
      case 'quota':
        return sendJson(res, 429, {
          error: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'insufficient_quota', code: 'insufficient_quota' },
        });
      case 'server-error':
        return sendJson(res, f.status ?? 500, { error: { message: 'The server had an error processing your request.', type: 'server_error' } });
      case 'hang':
        return; // never answer; close() destroys the socket
      case 'stall':
        if (ctx.stream) void sendStream(res, ctx.model, 'partial', undefined, true);
        return;
      case 'malformed':
        if (ctx.stream) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          return void res.end('data: {"id":"chatcmpl-fake","choices":[{"delta":{"content":"hal\n\ndata: [DONE]\n\n');
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end('{"id":"chatcmpl-fake","object":"chat.completion","choices":[{"index":0,"mess');
      case 'reset':
        return void res.socket?.destroy();
      case 'empty-choices':
        if (ctx.stream) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(`data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', model: ctx.model, choices: [] })}\n\n`);
          return void res.end('data: [DONE]\n\n');
        }
        return sendJson(res, 200, { id: 'chatcmpl-fake', object: 'chat.completion', model: ctx.model, choices: [], usage: { prompt_tokens: 1, completion_tokens: 0, total_tokens: 1 } });
      case 'unauthorized':
        // Like real providers, echo the key the client sent: clients must not repeat it.
        return sendJson(res, 401, {
          error: { message: `Incorrect API key provided: ${ctx.auth.replace(/^Bearer\s+/i, '')}.`, type: 'invalid_request_error', code: 'invalid_api_key' },
        });
      case 'forbidden':
        return sendJson(res, 403, { error: { message: 'You are not allowed to sample from this model', type: 'permission_error' } });
      case 'unknown-model':
        return sendJson(res, 404, {
          error: { message: `The model \`${ctx.model}\` does not exist or you do not have access to it.`, type: 'invalid_request_error', code: 'model_not_found' },
        });
      case 'context-too-long': {
        const tokens = tokensOf(promptChars(ctx.messages));
        return sendJson(res, 400, {
          error: {
            message: `This model's maximum context length is ${script.models?.[ctx.model]?.contextTokens ?? 8192} tokens. However, your messages resulted in ${tokens} tokens. Please reduce the length of the messages.`,
            type: 'invalid_request_error',
            code: 'context_length_exceeded',
          },
        });
      }
      case 'bad-request':
        return sendJson(res, 400, { error: { message: f.message ?? "Invalid value for 'temperature'.", type: 'invalid_request_error' } });
      case 'no-stream':
        return sendJson(res, 400, { error: { message: 'streaming is not supported by this server', type: 'invalid_request_error' } });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    stats: () => ({ inFlight, maxInFlight, chatRequests: chatCount }),
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      }),
  };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The body as text, or undefined when it exceeds the cap. */
function readBody(req: http.IncomingMessage, cap: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (b: Buffer) => {
      size += b.length;
      if (size > cap) over = true;
      else parts.push(b);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}
