import type { SandboxLimits } from '../types';
import { batchItemFailed, batchTooLong, MAX_ARG_CHARS, promptTooLong, type CallOp } from '../sandboxIpc';
import { formatValue } from './format';
import { optionalString, readBatchItems, readOptions, readRange, requireString } from './validate';

/** The REPL contract's names, built in the start compartment and handed to model code hardened.
 *  File and sub-call endowments only send RPC messages; what comes back is copied into fresh,
 *  hardened, null-prototype objects. Every endowment works only while its cell is running. */

export const RESERVED_NAMES = [
  'context', 'readFile', 'grep', 'llm_query', 'llm_batch', 'rlm_query', 'print', 'console',
  'FINAL', 'FINAL_VAR', 'answer', 'SHOW_VARS', 'history', 'outline', 'enclosing', 'definitions', 'references',
] as const;

export interface EndowmentHost {
  readonly limits: SandboxLimits;
  /** Throws when no cell is running (a leaked closure or promise calling after its cell ended). */
  assertOpen(name: string): void;
  call(op: CallOp, args: unknown[]): Promise<unknown>;
  print(text: string): void;
  setFinal(value: string): void;
  /** A variable of the REPL as a data property of the compartment's global, or undefined. */
  lookup(name: string): { found: boolean; value?: unknown };
  variables(): string[];
}

function nullProto<T extends object>(fields: T): T {
  return harden(Object.assign(Object.create(null) as T, fields));
}

function asString(v: unknown): string {
  if (typeof v !== 'string') throw new Error('the host sent an unexpected reply');
  return v;
}

function asStrings(v: unknown): string[] {
  if (!Array.isArray(v)) throw new Error('the host sent an unexpected reply');
  return v.map(asString);
}

interface AdoptedGrep {
  hits: object[];
  truncated: boolean;
  note?: string;
  total: number;
  files: number;
  perFile?: object[];
}

function asCount(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new Error('the host sent an unexpected reply');
  return v;
}

function adoptGrep(v: unknown): AdoptedGrep {
  const r = v as { hits?: unknown; truncated?: unknown; note?: unknown; total?: unknown; files?: unknown; perFile?: unknown };
  if (!r || !Array.isArray(r.hits)) throw new Error('the host sent an unexpected reply');
  const hits = r.hits.map((h: { path?: unknown; line?: unknown; text?: unknown; before?: unknown; after?: unknown }) =>
    nullProto({
      path: asString(h.path),
      line: typeof h.line === 'number' ? h.line : 0,
      text: asString(h.text),
      before: harden(asStrings(h.before ?? [])),
      after: harden(asStrings(h.after ?? [])),
    }),
  );
  const perFile = Array.isArray(r.perFile)
    ? r.perFile.map((f: { path?: unknown; count?: unknown }) => nullProto({ path: asString(f.path), count: asCount(f.count) }))
    : undefined;
  return {
    hits,
    truncated: r.truncated === true,
    note: typeof r.note === 'string' ? r.note : undefined,
    total: asCount(r.total),
    files: asCount(r.files),
    perFile,
  };
}

/** grep's totals as read-only properties of a result array (hits, or files in mode 'files'). */
function withTotals<T extends object[]>(list: T, g: AdoptedGrep): T {
  for (const [k, value] of [['total', g.total], ['files', g.files], ['truncated', g.truncated]] as const) {
    Object.defineProperty(list, k, { value });
  }
  return harden(list);
}

// Fields each code structure row may carry, with their types (anything else the host sent is dropped).
const SYMBOL_FIELDS = { name: 'string', kind: 'string', start: 'number', end: 'number', container: 'string' } as const;
const DEFINITION_FIELDS = { path: 'string', line: 'number', end: 'number', kind: 'string', name: 'string', container: 'string' } as const;
const REFERENCE_FIELDS = { path: 'string', line: 'number', text: 'string', enclosing: 'string', enclosingStart: 'number', enclosingEnd: 'number' } as const;

/** One row of a structure reply copied into a hardened null-prototype object: the listed fields
 *  only, each of its type; `name` and `path`-like strings are required. */
function adoptRow(v: unknown, fields: Record<string, 'string' | 'number'>): object {
  if (!v || typeof v !== 'object') throw new Error('the host sent an unexpected reply');
  const out: Record<string, unknown> = {};
  for (const [k, type] of Object.entries(fields)) {
    const x = (v as Record<string, unknown>)[k];
    if (typeof x === type) out[k] = x;
  }
  return nullProto(out);
}

/** A structure list reply: hardened rows; when cut, a `truncated` property and the host's note printed. */
function adoptList(host: EndowmentHost, v: unknown, fields: Record<string, 'string' | 'number'>): readonly object[] {
  const r = v as { items?: unknown; truncated?: unknown; note?: unknown };
  if (!r || !Array.isArray(r.items)) throw new Error('the host sent an unexpected reply');
  const rows = r.items.map((x) => adoptRow(x, fields));
  if (r.truncated === true) {
    if (typeof r.note === 'string') host.print(`[${r.note}]\n`);
    Object.defineProperty(rows, 'truncated', { value: true });
  }
  return harden(rows);
}

/** Serialises a FINAL value: strings as they are, anything else through the safe formatter. */
export function finalText(value: unknown, limits: SandboxLimits): string {
  return typeof value === 'string' ? value : formatValue(value, { depth: 8, budget: limits.valueChars, items: 1000 });
}

function shortType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `Array(${(Object.getOwnPropertyDescriptor(v, 'length')?.value as number) ?? '?'})`;
  if (typeof v === 'string') return `string (${v.length} chars)`;
  if (typeof v === 'object') {
    const f = formatValue(v, { depth: 0, budget: 60 });
    return f.startsWith('{') ? 'object' : f.split(' ')[0];
  }
  return typeof v;
}

/** The REPL's `history`: a frozen array of frozen {question, answer, status} records (answer null
 *  when the question had none), copied from what the host sent. */
export function historyOf(entries: unknown): readonly object[] {
  const list = Array.isArray(entries) ? entries : [];
  return harden(
    list.map((e: { question?: unknown; answer?: unknown; status?: unknown }) =>
      nullProto({
        question: typeof e?.question === 'string' ? e.question : '',
        answer: typeof e?.answer === 'string' ? e.answer : null,
        status: typeof e?.status === 'string' ? e.status : 'failed',
      }),
    ),
  );
}

export function makeEndowments(host: EndowmentHost, context: unknown): Record<string, unknown> {
  const { limits } = host;
  const print = (...args: unknown[]): void => {
    host.assertOpen('print');
    // Strings go through whole: the output buffer keeps their real head and tail.
    host.print(args.map((a) => (typeof a === 'string' ? a : formatValue(a, { budget: limits.outputChars }))).join(' ') + '\n');
  };
  const log = (...args: unknown[]) => print(...args);
  const checkPrompt = (what: string, chars: number): void => {
    if (chars > limits.promptChars) throw new RangeError(promptTooLong(what, chars, limits.promptChars));
  };

  let answerContent: unknown;
  let answerReady = false;
  const answer = {
    get content(): unknown {
      return answerContent;
    },
    set content(v: unknown) {
      host.assertOpen('answer.content');
      answerContent = v;
    },
    get ready(): boolean {
      return answerReady;
    },
    set ready(v: unknown) {
      host.assertOpen('answer.ready');
      if (v !== true) return;
      if (answerContent === undefined) throw new TypeError('set answer.content before answer.ready = true');
      answerReady = true;
      host.setFinal(finalText(answerContent, limits));
    },
  };

  const endowments: Record<string, unknown> = {
    context,
    async readFile(path: unknown, range?: unknown): Promise<string> {
      host.assertOpen('readFile');
      const p = requireString(path, 'readFile: path', MAX_ARG_CHARS);
      const r = readRange(range, 'readFile: options');
      return asString(await host.call('readFile', [p, { ...r }]));
    },
    async grep(pattern: unknown, options?: unknown): Promise<object> {
      host.assertOpen('grep');
      const p = requireString(pattern, 'grep: pattern', MAX_ARG_CHARS);
      const o = readOptions(options, 'grep: options', {
        glob: 'string', exclude: 'string', ignoreCase: 'boolean', maxResults: 'integer', contextLines: 'integer', mode: 'string',
      });
      if (o.mode !== undefined && !['hits', 'files', 'count'].includes(o.mode as string)) {
        throw new TypeError(`grep: options: mode must be 'hits' (default), 'files' or 'count', got ${JSON.stringify(o.mode).slice(0, 40)}`);
      }
      const g = adoptGrep(await host.call('grep', [p, { ...o }]));
      // The host's note says what cut the reply (with the true total and the real cap), or that maxResults was clamped.
      if (g.note !== undefined) host.print(`[grep: ${g.note}]\n`);
      if (o.mode === 'count') {
        return nullProto({ total: g.total, files: g.files, truncated: g.truncated, perFile: harden(g.perFile ?? []) });
      }
      return withTotals(o.mode === 'files' ? (g.perFile ?? []) : g.hits, g);
    },
    async outline(path: unknown): Promise<readonly object[]> {
      host.assertOpen('outline');
      const p = requireString(path, 'outline: path', MAX_ARG_CHARS);
      return adoptList(host, await host.call('outline', [p]), SYMBOL_FIELDS);
    },
    async enclosing(path: unknown, line: unknown): Promise<object | null> {
      host.assertOpen('enclosing');
      const p = requireString(path, 'enclosing: path', MAX_ARG_CHARS);
      if (typeof line !== 'number' || !Number.isInteger(line) || line < 1) throw new TypeError('enclosing: line must be a whole line number of at least 1, e.g. enclosing("src/a.ts", 120)');
      const r = await host.call('enclosing', [p, line]);
      return r === null ? null : adoptRow(r, SYMBOL_FIELDS);
    },
    async definitions(name: unknown, options?: unknown): Promise<readonly object[]> {
      host.assertOpen('definitions');
      const n = requireString(name, 'definitions: name', MAX_ARG_CHARS);
      const o = readOptions(options, 'definitions: options', { glob: 'string', exclude: 'string', maxResults: 'integer' });
      return adoptList(host, await host.call('definitions', [n, { ...o }]), DEFINITION_FIELDS);
    },
    async references(name: unknown, options?: unknown): Promise<readonly object[]> {
      host.assertOpen('references');
      const n = requireString(name, 'references: name', MAX_ARG_CHARS);
      const o = readOptions(options, 'references: options', { glob: 'string', exclude: 'string', maxResults: 'integer' });
      return adoptList(host, await host.call('references', [n, { ...o }]), REFERENCE_FIELDS);
    },
    async llm_query(prompt: unknown, options?: unknown): Promise<string> {
      host.assertOpen('llm_query');
      const p = requireString(prompt, 'llm_query: prompt');
      const o = readOptions(options, 'llm_query: options', { model: 'string' });
      checkPrompt('llm_query', p.length);
      return asString(await host.call('llm_query', [p, { ...o }]));
    },
    async llm_batch(prompts: unknown, options?: unknown): Promise<readonly unknown[]> {
      host.assertOpen('llm_batch');
      const { prompts: list, ids } = readBatchItems(prompts, 'llm_batch: prompts', limits.batchSize);
      const o = readOptions(options, 'llm_batch: options', { model: 'string' });
      // Over-long items fail here, on their own, and never travel to the host.
      const fits = list.map((p) => p.length <= limits.promptChars);
      // The whole call is one IPC message: bound it before it is built, not after the host parsed it.
      const total = list.reduce((sum, p, i) => (fits[i] ? sum + p.length : sum), 0);
      if (total > limits.batchChars) throw new RangeError(batchTooLong(total, limits.batchChars));
      const sentIds = ids?.filter((_, i) => fits[i]);
      const reply = (await host.call('llm_batch', [list.filter((_, i) => fits[i]), { ...o }, ...(sentIds ? [sentIds] : [])])) as {
        replies?: unknown;
        failed?: unknown;
      };
      const sent = asStrings(reply?.replies);
      const sentFailed = new Set(Array.isArray(reply.failed) ? reply.failed : []);
      let next = 0;
      const failed: boolean[] = [];
      const out = list.map((p, i) => {
        if (!fits[i]) {
          failed.push(true);
          return batchItemFailed(i, promptTooLong(`llm_batch item ${i}`, p.length, limits.promptChars));
        }
        failed.push(sentFailed.has(next));
        return sent[next++];
      });
      if (next !== sent.length || out.some((x) => typeof x !== 'string')) throw new Error('the host sent an unexpected reply');
      if (!ids) return harden(out);
      return harden(out.map((r, i) => nullProto({ id: ids[i], prompt: list[i], reply: r, ...(failed[i] && { error: true }) })));
    },
    async rlm_query(prompt: unknown, text?: unknown): Promise<string> {
      host.assertOpen('rlm_query');
      const p = requireString(prompt, 'rlm_query: prompt');
      const t = optionalString(text, 'rlm_query: text');
      checkPrompt('rlm_query', p.length + (t?.length ?? 0));
      return asString(await host.call('rlm_query', t === undefined ? [p] : [p, t]));
    },
    print,
    console: { log, info: log, warn: log, error: log, debug: log, dir: log, table: log, trace: log },
    FINAL(value: unknown): void {
      host.assertOpen('FINAL');
      // An undefined answer is almost always a bug in the cell; ending the run with it would hide it.
      if (value === undefined) throw new TypeError('FINAL needs a value, got undefined');
      host.setFinal(finalText(value, limits));
    },
    FINAL_VAR(name: unknown): void {
      host.assertOpen('FINAL_VAR');
      const n = requireString(name, 'FINAL_VAR: the variable name (e.g. FINAL_VAR("result"))');
      const v = host.lookup(n);
      if (!v.found) throw new ReferenceError(`FINAL_VAR: there is no REPL variable named "${n}"`);
      if (v.value === undefined) throw new TypeError(`FINAL_VAR: the variable "${n}" is undefined`);
      host.setFinal(finalText(v.value, limits));
    },
    answer,
    SHOW_VARS(): string {
      host.assertOpen('SHOW_VARS');
      const names = host.variables();
      if (names.length === 0) return 'No variables yet.';
      return names.map((n) => `${n}: ${shortType(host.lookup(n).value)}`).join('\n');
    },
  };
  for (const k of Object.keys(endowments)) harden(endowments[k]);
  return endowments;
}
