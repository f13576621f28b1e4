import { types } from 'node:util';
import { MAX_ARG_CHARS, MAX_BATCH_ID_CHARS } from '../sandboxIpc';

/** Argument checks for the endowments, done before anything is sent to the host. Model values are
 *  read once, through own data properties only, so no getter, proxy trap or `then` ever runs. */

const { getOwnPropertyDescriptor } = Object;

export type OptionType = 'string' | 'boolean' | 'integer';

export function requireString(value: unknown, what: string, maxChars = Infinity): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string, got ${describeType(value)}`);
  if (value.length > maxChars) throw new RangeError(`${what} is ${value.length} characters long; the limit is ${maxChars}`);
  return value;
}

export function optionalString(value: unknown, what: string): string | undefined {
  return value === undefined ? undefined : requireString(value, what);
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v) && !types.isProxy(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v;
}

function plainObject(value: unknown, what: string): object {
  if (typeof value !== 'object' || value === null || typeof value === 'function') {
    throw new TypeError(`${what} must be an object, got ${describeType(value)}`);
  }
  if (types.isProxy(value)) throw new TypeError(`${what} must be a plain object, not a Proxy`);
  return value;
}

/** Reads an options object: only the allowed keys, only own data properties, checked types. */
export function readOptions(value: unknown, what: string, allowed: Record<string, OptionType>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  if (value === undefined || value === null) return out;
  const obj = plainObject(value, what);
  if (Array.isArray(obj)) throw new TypeError(`${what} must be an object, got an array`);
  const names = Object.keys(allowed);
  for (const key of Reflect.ownKeys(obj)) {
    if (typeof key !== 'string' || !(key in allowed)) {
      throw new TypeError(`${what}: unknown option ${typeof key === 'string' ? JSON.stringify(key) : 'symbol'} (allowed: ${names.join(', ')})`);
    }
    const d = getOwnPropertyDescriptor(obj, key)!;
    if (!('value' in d)) throw new TypeError(`${what}: option "${key}" must be a plain value, not a getter or setter`);
    const v = d.value;
    if (v === undefined) continue;
    const type = allowed[key];
    const ok = type === 'integer' ? typeof v === 'number' && Number.isSafeInteger(v) : typeof v === type;
    if (!ok) throw new TypeError(`${what}: option "${key}" must be ${type === 'integer' ? 'an integer' : 'a ' + type}, got ${describeType(v)}`);
    if (typeof v === 'string') requireString(v, `${what}: option "${key}"`, MAX_ARG_CHARS);
    out[key] = v;
  }
  return out;
}

/** readFile's range: whole line numbers of at least 1, start <= end, numbered true or false. */
export function readRange(value: unknown, what: string): Record<string, unknown> {
  const r = readOptions(value, what, { start: 'integer', end: 'integer', numbered: 'boolean' });
  for (const name of ['start', 'end']) {
    const v = r[name] as number | undefined;
    if (v !== undefined && v < 1) throw new RangeError(`${what}: ${name} is ${v}; lines are numbered from 1`);
  }
  const { start, end } = r as { start?: number; end?: number };
  if (start !== undefined && end !== undefined && start > end) {
    throw new RangeError(`${what}: start (${start}) is after end (${end}); give start <= end, e.g. {start: ${end}, end: ${start}}`);
  }
  return r;
}

/** llm_batch's items: all strings, or all `{id, prompt}` objects (ids unique, non-empty strings of
 *  at most MAX_BATCH_ID_CHARS). `ids` is undefined for strings. Read through data properties only. */
export function readBatchItems(value: unknown, what: string, max: number): { prompts: string[]; ids?: string[] } {
  const obj = plainObject(value, what);
  if (!Array.isArray(obj)) throw new TypeError(`${what} must be an array of strings or of {id, prompt} objects`);
  const len = getOwnPropertyDescriptor(obj, 'length')!.value as number;
  if (len > max) throw new RangeError(`${what}: ${len} items, the limit is ${max} per call`);
  const items: unknown[] = [];
  for (let i = 0; i < len; i++) {
    const d = getOwnPropertyDescriptor(obj, String(i));
    if (!d || !('value' in d)) throw new TypeError(`${what}[${i}] must be a string or an {id, prompt} object`);
    items.push(d.value);
  }
  if (items.length === 0 || typeof items[0] === 'string') {
    return { prompts: items.map((v, i) => requireString(v, `${what}[${i}] (all items strings, or all {id, prompt})`)) };
  }
  const prompts: string[] = [];
  const ids: string[] = [];
  const seen = new Set<string>();
  items.forEach((v, i) => {
    const item = readOptions(v, `${what}[${i}] (all items {id, prompt}, or all strings)`, { id: 'string', prompt: 'string' });
    const id = requireString(item.id, `${what}[${i}].id`, MAX_BATCH_ID_CHARS);
    if (id.length === 0) throw new TypeError(`${what}[${i}].id is empty: give each item a name, e.g. its file path`);
    if (seen.has(id)) throw new TypeError(`${what}[${i}].id ${JSON.stringify(id.slice(0, 80))} is used twice: ids must be unique`);
    seen.add(id);
    ids.push(id);
    prompts.push(requireString(item.prompt, `${what}[${i}].prompt`));
  });
  return { prompts, ids };
}
