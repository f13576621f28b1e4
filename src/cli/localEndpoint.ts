/** With no API key and no base URL, the CLI looks for a model server on this machine: a local
 *  Ollama or LM Studio answers `GET /v1/models` without a key. */
import { UsageError, type RunSettings } from './args';

export interface LocalEndpoint {
  name: string;
  baseURL: string;
}

/** Probed in this order; the first that answers is used. */
export const LOCAL_ENDPOINTS: readonly LocalEndpoint[] = [
  { name: 'Ollama', baseURL: 'http://127.0.0.1:11434/v1' },
  { name: 'LM Studio', baseURL: 'http://127.0.0.1:1234/v1' },
];

/** Time one probe may take: a local server answers in milliseconds; nothing listening fails at once. */
export const PROBE_TIMEOUT_MS = 1_500;

/** Bytes of a /models reply read, at most (a local list is a few KB). */
const MAX_REPLY_BYTES = 1024 * 1024;

/** `RLM_LOCAL_ENDPOINTS="Name=http://127.0.0.1:PORT/v1,..."` replaces the list (tests; unusual ports). */
export function localEndpoints(env: NodeJS.ProcessEnv): readonly LocalEndpoint[] {
  const raw = env.RLM_LOCAL_ENDPOINTS;
  if (raw === undefined) return LOCAL_ENDPOINTS;
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const eq = item.indexOf('=');
      return eq > 0 ? { name: item.slice(0, eq).trim(), baseURL: item.slice(eq + 1).trim() } : { name: 'local server', baseURL: item };
    });
}

/** The model ids a server lists at `baseURL/models`, or undefined when it does not answer in time
 *  with an OpenAI-style list. */
export async function listModels(baseURL: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<string[] | undefined> {
  try {
    const res = await fetch(`${baseURL.replace(/\/+$/, '')}/models`, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    if (!res.ok) return undefined;
    const text = await res.text();
    if (text.length > MAX_REPLY_BYTES) return undefined;
    const data = (JSON.parse(text) as { data?: unknown }).data;
    if (!Array.isArray(data)) return undefined;
    return data.map((m: { id?: unknown }) => m?.id).filter((id): id is string => typeof id === 'string' && id.length > 0 && id.length < 500);
  } catch {
    return undefined;
  }
}

/** The first local server that answers (probed at once, chosen in list order), with its models. */
export async function probeLocal(endpoints: readonly LocalEndpoint[], timeoutMs = PROBE_TIMEOUT_MS): Promise<(LocalEndpoint & { models: string[] }) | undefined> {
  const answers = await Promise.all(endpoints.map((e) => listModels(e.baseURL, timeoutMs)));
  const i = answers.findIndex((a) => a !== undefined);
  return i < 0 ? undefined : { ...endpoints[i], models: answers[i]! };
}

export const NO_ENDPOINT =
  'no model endpoint: set OPENAI_API_KEY (or pass --api-key) to use https://api.openai.com/v1, or pass --base-url ' +
  'for another OpenAI-compatible endpoint (no local Ollama at 127.0.0.1:11434 or LM Studio at 127.0.0.1:1234 answered)';

/** The settings to run with: as given, or (with neither a key nor a base URL) pointed at the first
 *  local server that answers, saying so through `log`. Throws a UsageError naming OPENAI_API_KEY
 *  and --base-url when none answers. */
export async function resolveEndpoint<O extends RunSettings>(o: O, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<O> {
  if (o.given.baseURL || o.given.apiKey) return o;
  const found = await probeLocal(localEndpoints(env));
  if (!found) throw new UsageError(NO_ENDPOINT);
  const model = o.given.model ? o.model : found.models[0];
  if (!model) throw new UsageError(`${found.name} at ${new URL(found.baseURL).host} lists no models: pull or load one, or pass --model`);
  const subModel = o.given.subModel ? o.subModel : model;
  log(`no API key or base URL given: using ${found.name} at ${found.baseURL} (model ${model}${subModel !== model ? `, sub-model ${subModel}` : ''})`);
  return { ...o, baseURL: found.baseURL, model, subModel };
}
