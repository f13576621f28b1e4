/** The models an OpenAI-compatible endpoint offers (`GET <baseUrl>/models`), for RLM: Select Model.
 *  The reply is untrusted: only string ids are kept, bounded in number and length, made visible; any
 *  failure becomes a problem sentence that says what to do (never the key). No `vscode` import. */
import { terminalSafe } from '../core/text/visible';

export const LIST_MODELS_TIMEOUT_MS = 5000;
const MAX_MODELS = 1000;
const MAX_ID_CHARS = 200;
const MAX_REPLY_BYTES = 4 * 1024 * 1024;

export type EndpointModels = { ids: string[] } | { problem: string };

/** Model ids of a `/models` reply (`{data: [{id}]}`), sorted, without duplicates. */
export function modelIdsOf(body: unknown): string[] | undefined {
  const data = (body as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) return undefined;
  const ids = new Set<string>();
  for (const item of data.slice(0, MAX_MODELS)) {
    const id = (item as { id?: unknown } | null)?.id;
    if (typeof id === 'string' && id.trim() && id.length <= MAX_ID_CHARS) ids.add(terminalSafe(id.trim()));
  }
  return [...ids].sort();
}

export async function listEndpointModels(baseUrl: string, apiKey: string | undefined, timeoutMs = LIST_MODELS_TIMEOUT_MS): Promise<EndpointModels> {
  const url = `${baseUrl.replace(/\/+$/, '')}/models`;
  let reply: Response;
  let text: string;
  try {
    reply = await fetch(url, {
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    const length = Number(reply.headers.get('content-length') ?? 0);
    if (length > MAX_REPLY_BYTES) return { problem: `${url} sent a list larger than ${MAX_REPLY_BYTES / 1024 / 1024} MB.` };
    text = await reply.text();
  } catch (err) {
    const name = (err as { name?: string } | null)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') return { problem: `${url} did not answer within ${timeoutMs / 1000} s. Check "rlm.baseUrl".` };
    return { problem: `Cannot reach ${url}. Check "rlm.baseUrl" and that the server is running.` };
  }
  if (reply.status === 401 || reply.status === 403) return { problem: `${url} refused the API key (${reply.status}). Run "RLM: Set API Key".` };
  if (!reply.ok) return { problem: `${url} answered ${reply.status}; the endpoint may not list its models. Type the model name in "rlm.model".` };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { problem: `${url} did not answer with JSON. Check "rlm.baseUrl" (it usually ends in /v1).` };
  }
  const ids = modelIdsOf(body);
  if (!ids) return { problem: `${url} did not answer with a model list ({"data": [{"id": …}]}). Check "rlm.baseUrl".` };
  return { ids };
}
