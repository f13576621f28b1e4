import { parseArgs } from 'node:util';
import { DEFAULT_ROOT_MODEL, DEFAULT_SUB_MODEL } from '../core/llm/defaults';
import { refusedPortProblem } from '../core/llm/badPorts';
import { DEFAULT_CONVERSATION } from '../core/rlm/types';
import { terminalSafe } from '../core/text/visible';

export const USAGE = `Usage: rlm ask [options] "question"
       rlm chat [options]

Answers a question about a codebase with a Recursive Language Model: the root model never sees
the code; it writes JavaScript that probes, searches and slices the workspace in a sandbox and
delegates reading to sub-models.

rlm chat asks follow-up questions in one conversation: one REPL keeps its variables from question
to question. Type a question and Enter; /new starts a fresh conversation (fresh REPL), /exit quits.
Ctrl-C cancels the running question (the conversation stays); Ctrl-C at the prompt twice quits.

With no API key and no base URL (flags or $OPENAI_API_KEY / $OPENAI_BASE_URL), rlm looks for a
local Ollama (127.0.0.1:11434) or LM Studio (127.0.0.1:1234) and uses the first that answers.

Options:
  --root DIR              workspace to ask about (default: current directory)
  --base-url URL          OpenAI-compatible endpoint (default: $OPENAI_BASE_URL or https://api.openai.com/v1)
  --model M               root model (default: $RLM_MODEL or ${DEFAULT_ROOT_MODEL})
  --sub-model M           model for llm_query/llm_batch (default: $RLM_SUB_MODEL, else the root model
                          you chose, else ${DEFAULT_SUB_MODEL})
  --api-key K             API key (default: $OPENAI_API_KEY; local servers may need none)
  --max-iterations N      root turns before the answer is forced (default 30)
  --max-depth N           1 = sub-calls are plain model calls; 2-3 lets rlm_query start child runs (default 1)
  --max-subcalls N        llm_query calls, llm_batch items and rlm_query calls, whole run tree (default 500)
  --max-model-requests N  every model request of the run tree, child runs' turns included (default 1000)
  --max-tokens N          prompt + completion tokens per run (default 2000000)
  --max-cost USD          stop when the run costs more (every model needs a price: built in, or --price)
  --max-time SECONDS      wall time per run (default 1800)
  --cell-timeout SECONDS  wall time per REPL cell, waiting for readFile/grep included (default 30)
  --cells-per-turn N      code blocks run per model reply; later ones are not run (default 20)
  --turn-output CHARS     characters of the REPL's reply to one turn, all cells together (default 50000)
  --sandbox-memory MB     resident memory of all sandbox processes of a run and its child runs together (default 2048)
  --reply-queue MB        readFile/grep replies the host holds for one sandbox at once; more calls wait (default 64)
  --concurrency N         sub-model calls at once (default 8)
  --exclude GLOB          extra exclude, gitignore syntax (repeatable)
  --no-mask-secrets       show secrets inside files (keys, tokens, the API key) to the models
                          as they are; by default they read [secret masked: <rule>]. Trusted code only
  --price M=IN,OUT        USD per million input/output tokens for model M (repeatable)
  --trace FILE            append the run's trajectory (JSONL, one event per line) to FILE
                          (rlm chat: every question's run)
  --json                  print one JSON object: answer, status, reason, iterations, subcalls, usage, cost, ms
                          (rlm chat: one line per question)
  --idle-minutes N        rlm chat: release the REPL after N minutes without a question; the next
                          question starts a fresh one (default ${DEFAULT_CONVERSATION.idleMs / 60_000}; 0 = never)
  --answer-chars N        rlm chat: characters of each earlier answer the model reads with the next
                          question; the latest keeps 4 times as many (default ${DEFAULT_CONVERSATION.answerChars})
  -q, --quiet             no progress on stderr
  -h, --help              this help

Exit status: 0 with an answer; 1 failed; 2 bad usage; 3 budget exceeded; 130 cancelled (Ctrl-C).
rlm chat: 0 after /exit or the end of input, 130 when Ctrl-C quit it.

rlm eval --dataset FILE.jsonl: measure accuracy and cost on multiple-choice questions (rlm eval --help).`;

export interface CliOptions {
  command: 'ask' | 'chat';
  /** Empty for rlm chat (questions come from the prompt). */
  question: string;
  root: string;
  baseURL: string;
  model: string;
  subModel: string;
  apiKey: string;
  maxIterations?: number;
  maxDepth?: number;
  maxSubcalls?: number;
  maxModelRequests?: number;
  maxTokens?: number;
  maxCostUsd?: number;
  maxWallMs?: number;
  cellTimeoutMs?: number;
  cellsPerTurn?: number;
  turnOutputChars?: number;
  sandboxMemoryMb?: number;
  replyQueueMb?: number;
  concurrency?: number;
  excludes: string[];
  maskSecrets: boolean;
  prices: Record<string, { input: number; output: number }>;
  trace?: string;
  json: boolean;
  quiet: boolean;
  /** rlm chat: idle time-out (Infinity = never) and earlier answers' characters in the prompt. */
  idleMs: number;
  answerChars: number;
  /** Which of endpoint, key and models the user gave (flag or environment); the rest are defaults.
   *  With neither an endpoint nor a key, the CLI probes for a local server (src/cli/localEndpoint.ts). */
  given: { baseURL: boolean; apiKey: boolean; model: boolean; subModel: boolean };
}

export class UsageError extends Error {}

/** Runs a command's parser: the options, or the exit status after printing the help (0) or a usage error (2). */
export function parseCommand<O>(parse: () => { help: true } | { help: false; options: O }, usage: string, name: string): O | number {
  try {
    const parsed = parse();
    if (!parsed.help) return parsed.options;
    process.stdout.write(terminalSafe(`${usage}\n`));
    return 0;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(terminalSafe(`${name}: ${err.message}\n${usage.split('\n')[0]}\n`));
    return 2;
  }
}

export type Parsed = { help: true } | { help: false; options: CliOptions };

export function parseCli(argv: string[], env: NodeJS.ProcessEnv, cwd: string): Parsed {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        root: { type: 'string' },
        ...RUN_OPTIONS,
        trace: { type: 'string' },
        json: { type: 'boolean' },
        'idle-minutes': { type: 'string' },
        'answer-chars': { type: 'string' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) return { help: true };
  const [command, ...rest] = parsed.positionals;
  if (command !== 'ask' && command !== 'chat') {
    throw new UsageError(command ? `unknown command "${command}" (try: rlm ask "question", rlm chat, or rlm eval --dataset FILE)` : 'missing command: rlm ask "question" or rlm chat');
  }
  const question = rest.join(' ').trim();
  if (command === 'ask' && !question) throw new UsageError('missing question: rlm ask "question"');
  if (command === 'chat' && question) throw new UsageError('rlm chat takes no question on the command line: type questions at its prompt');
  if (command === 'ask' && (v['idle-minutes'] !== undefined || v['answer-chars'] !== undefined)) {
    throw new UsageError('--idle-minutes and --answer-chars apply to rlm chat only');
  }
  const idle = minutes(v['idle-minutes'], '--idle-minutes');
  return {
    help: false,
    options: {
      command,
      question,
      root: v.root ?? cwd,
      ...runSettings(v, env),
      trace: v.trace,
      json: v.json ?? false,
      idleMs: idle === undefined ? DEFAULT_CONVERSATION.idleMs : idle === 0 ? Infinity : idle,
      answerChars: int(v['answer-chars'], '--answer-chars', 100, 1_000_000) ?? DEFAULT_CONVERSATION.answerChars,
    },
  };
}

/** Minutes as milliseconds (fractions allowed); 0 stays 0. */
function minutes(s: string | undefined, name: string): number | undefined {
  const n = num(s, name);
  return n === undefined ? undefined : Math.round(n * 60_000);
}

/** Options `rlm ask` and `rlm eval` share: endpoint, models, budgets, excludes, prices. */
export const RUN_OPTIONS = {
  'base-url': { type: 'string' },
  model: { type: 'string' },
  'sub-model': { type: 'string' },
  'api-key': { type: 'string' },
  'max-iterations': { type: 'string' },
  'max-depth': { type: 'string' },
  'max-subcalls': { type: 'string' },
  'max-model-requests': { type: 'string' },
  'max-tokens': { type: 'string' },
  'max-cost': { type: 'string' },
  'max-time': { type: 'string' },
  'cell-timeout': { type: 'string' },
  'sandbox-memory': { type: 'string' },
  'reply-queue': { type: 'string' },
  'cells-per-turn': { type: 'string' },
  'turn-output': { type: 'string' },
  concurrency: { type: 'string' },
  exclude: { type: 'string', multiple: true },
  'no-mask-secrets': { type: 'boolean' },
  price: { type: 'string', multiple: true },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} as const;

type RunValues = { [K in keyof typeof RUN_OPTIONS]?: (typeof RUN_OPTIONS)[K] extends { multiple: true } ? string[] : (typeof RUN_OPTIONS)[K] extends { type: 'boolean' } ? boolean : string };

export type RunSettings = Omit<CliOptions, 'command' | 'question' | 'root' | 'trace' | 'json' | 'idleMs' | 'answerChars'>;

/** The shared options' values, checked, with their defaults from the environment. */
export function runSettings(v: RunValues, env: NodeJS.ProcessEnv): RunSettings {
  const chosenModel = v.model ?? env.RLM_MODEL;
  const model = chosenModel ?? DEFAULT_ROOT_MODEL;
  const baseURL = v['base-url'] ?? env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1';
  try {
    const u = new URL(baseURL);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch {
    throw new UsageError(`--base-url must be an http(s) URL, got "${baseURL}"`);
  }
  const refused = refusedPortProblem(baseURL, v['base-url'] === undefined && env.OPENAI_BASE_URL ? '$OPENAI_BASE_URL' : '--base-url');
  if (refused) throw new UsageError(refused);
  return {
    baseURL,
    model,
    subModel: v['sub-model'] ?? env.RLM_SUB_MODEL ?? chosenModel ?? DEFAULT_SUB_MODEL,
    apiKey: v['api-key'] ?? env.OPENAI_API_KEY ?? '',
    maxIterations: int(v['max-iterations'], '--max-iterations', 1, 1000),
    maxDepth: int(v['max-depth'], '--max-depth', 1, 3),
    maxSubcalls: int(v['max-subcalls'], '--max-subcalls', 0, 1_000_000),
    maxModelRequests: int(v['max-model-requests'], '--max-model-requests', 1, 1_000_000),
    maxTokens: int(v['max-tokens'], '--max-tokens', 1, 1e12),
    maxCostUsd: num(v['max-cost'], '--max-cost'),
    maxWallMs: seconds(v['max-time'], '--max-time'),
    cellTimeoutMs: seconds(v['cell-timeout'], '--cell-timeout'),
    sandboxMemoryMb: int(v['sandbox-memory'], '--sandbox-memory', 256, 1_000_000),
    replyQueueMb: int(v['reply-queue'], '--reply-queue', 1, 1_000_000),
    cellsPerTurn: int(v['cells-per-turn'], '--cells-per-turn', 1, 1000),
    turnOutputChars: int(v['turn-output'], '--turn-output', 1000, 10_000_000),
    concurrency: int(v.concurrency, '--concurrency', 1, 256),
    excludes: v.exclude ?? [],
    maskSecrets: v['no-mask-secrets'] !== true,
    prices: prices(v.price ?? []),
    quiet: v.quiet ?? false,
    given: {
      baseURL: v['base-url'] !== undefined || !!env.OPENAI_BASE_URL,
      apiKey: !!(v['api-key'] ?? env.OPENAI_API_KEY),
      model: chosenModel !== undefined,
      subModel: (v['sub-model'] ?? env.RLM_SUB_MODEL) !== undefined,
    },
  };
}

export function int(s: string | undefined, name: string, min: number, max: number): number | undefined {
  if (s === undefined) return undefined;
  if (!/^\d+$/.test(s) || +s < min || +s > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got "${s}"`);
  return +s;
}

function num(s: string | undefined, name: string): number | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  if (!s.trim() || !Number.isFinite(n) || n < 0) throw new UsageError(`${name} must be a non-negative number, got "${s}"`);
  return n;
}

function seconds(s: string | undefined, name: string): number | undefined {
  const n = num(s, name);
  if (n === undefined) return undefined;
  if (n === 0) throw new UsageError(`${name} must be more than 0 seconds`);
  return Math.round(n * 1000);
}

function prices(list: string[]): CliOptions['prices'] {
  const out: CliOptions['prices'] = {};
  for (const item of list) {
    const m = /^([^=]+)=([\d.]+),([\d.]+)$/.exec(item);
    if (!m || !Number.isFinite(+m[2]) || !Number.isFinite(+m[3])) throw new UsageError(`--price must look like MODEL=IN,OUT (USD per million tokens), got "${item}"`);
    out[m[1]] = { input: +m[2], output: +m[3] };
  }
  return out;
}
