import { types } from 'node:util';

/** A formatter for values made by model code that never runs model code: no getters, no proxy
 *  traps, no toString/toJSON/inspect hooks (util.inspect would run custom inspect functions).
 *  Everything is read through own property descriptors and intrinsic getters captured at load. */

const { getOwnPropertyDescriptor, getPrototypeOf } = Object;
const { ownKeys, apply } = Reflect;
const ObjectPrototype = Object.prototype;
const getter = (proto: object, key: string | symbol) => getOwnPropertyDescriptor(proto, key)!.get!;
const mapSize = getter(Map.prototype, 'size');
const setSize = getter(Set.prototype, 'size');
const mapEntries = Map.prototype.entries;
const setValues = Set.prototype.values;
const regexpSource = getter(RegExp.prototype, 'source');
const regexpFlags = ['hasIndices', 'global', 'ignoreCase', 'multiline', 'dotAll', 'unicode', 'unicodeSets', 'sticky']
  .map((k) => [k, getOwnPropertyDescriptor(RegExp.prototype, k)?.get] as const);
const flagLetters: Record<string, string> = { hasIndices: 'd', global: 'g', ignoreCase: 'i', multiline: 'm', dotAll: 's', unicode: 'u', unicodeSets: 'v', sticky: 'y' };
const TypedArrayProto = getPrototypeOf(Uint8Array.prototype) as object;
const typedLength = getter(TypedArrayProto, 'length');
const typedTag = getter(TypedArrayProto, Symbol.toStringTag);
const bufferLength = getter(ArrayBuffer.prototype, 'byteLength');
const dateToISO = Date.prototype.toISOString;
const iteratorNext = (it: Iterator<unknown>) => it.next();

export interface FormatOptions {
  /** Nesting shown before `[Object]`/`[Array]`. */
  depth?: number;
  /** Characters produced at most; the rest is cut with an ellipsis. */
  budget?: number;
  /** Items shown per array, map, set or object. */
  items?: number;
}

class Writer {
  private parts: string[] = [];
  len = 0;
  constructor(readonly budget: number) {}
  get full(): boolean {
    return this.len >= this.budget;
  }
  put(s: string): void {
    if (this.full) return;
    const room = this.budget - this.len;
    if (s.length > room) s = s.slice(0, room) + '…';
    this.parts.push(s);
    this.len += s.length;
  }
  text(): string {
    return this.parts.join('');
  }
}

// SES turns some intrinsic data properties (e.g. Error.prototype.name) into accessors so that
// they can be overridden on instances; those getters are SES code and safe to call.
const TRUSTED_PROTOTYPES = new Set<object>(
  [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError, AggregateError].map((c) => c.prototype),
);

/** Reads a data property along the prototype chain without running model code; undefined otherwise. */
export function dataProp(obj: object, key: string | symbol): unknown {
  let o: object | null = obj;
  for (let i = 0; o && i < 32; i++) {
    if (types.isProxy(o)) return undefined;
    const d = getOwnPropertyDescriptor(o, key);
    if (d && !('value' in d) && d.get && TRUSTED_PROTOTYPES.has(o)) return apply(d.get, obj, []);
    if (d) return 'value' in d ? d.value : undefined;
    o = getPrototypeOf(o) as object | null;
  }
  return undefined;
}

function functionName(fn: object): string {
  const d = getOwnPropertyDescriptor(fn, 'name');
  return d && typeof d.value === 'string' && d.value ? d.value : '(anonymous)';
}

function constructorName(obj: object): string | undefined {
  const proto = getPrototypeOf(obj) as object | null;
  // Null-prototype objects (what the endowments return) read as plain objects to the model.
  if (proto === null || proto === ObjectPrototype) return undefined;
  if (types.isProxy(proto)) return 'Object';
  const ctor = dataProp(proto, 'constructor');
  return typeof ctor === 'function' ? functionName(ctor) : 'Object';
}

const IDENT = /^[A-Za-z_$][\w$]*$/;
function keyText(k: string | symbol): string {
  if (typeof k === 'symbol') return `[${String(k)}]`;
  return IDENT.test(k) ? k : JSON.stringify(k);
}

function accessorText(d: PropertyDescriptor): string {
  return d.get && d.set ? '[Getter/Setter]' : d.get ? '[Getter]' : '[Setter]';
}

function primitive(v: unknown, top: boolean): string | undefined {
  switch (typeof v) {
    case 'string':
      return top ? v : JSON.stringify(v);
    case 'number':
      return Object.is(v, -0) ? '-0' : String(v);
    case 'bigint':
      return `${v}n`;
    case 'boolean':
    case 'undefined':
      return String(v);
    case 'symbol':
      return String(v);
    default:
      return v === null ? 'null' : undefined;
  }
}

/** Formats `value` for the model. Strings at the top level are shown as they are. */
export function formatValue(value: unknown, options: FormatOptions = {}): string {
  const w = new Writer(options.budget ?? 20_000);
  const maxDepth = options.depth ?? 4;
  const maxItems = options.items ?? 100;
  const seen = new Set<object>();

  const item = (v: unknown, depth: number): void => {
    const p = primitive(v, false);
    if (p !== undefined) return w.put(p);
    const o = v as object;
    if (types.isProxy(o)) return w.put('[Proxy]');
    if (typeof o === 'function') return w.put(`[Function: ${functionName(o)}]`);
    if (seen.has(o)) return w.put('[Circular]');
    if (depth > maxDepth) return w.put(Array.isArray(o) ? '[Array]' : '[Object]');
    seen.add(o);
    try {
      object(o, depth);
    } catch {
      // A revoked proxy or an exotic object we cannot read: say so instead of failing the cell.
      w.put('[unreadable]');
    } finally {
      seen.delete(o);
    }
  };

  const list = (open: string, close: string, entries: Iterable<() => void>, total: number): void => {
    if (total === 0) return w.put(open.trimEnd() + close.trimStart());
    w.put(open);
    let i = 0;
    for (const e of entries) {
      if (w.full) return;
      if (i > 0) w.put(', ');
      if (i >= maxItems) {
        w.put(`... ${total - maxItems} more`);
        break;
      }
      e();
      i++;
    }
    w.put(close);
  };

  const prop = (o: object, k: string | symbol, depth: number, showKey: boolean) => () => {
    const d = getOwnPropertyDescriptor(o, k);
    if (showKey) w.put(keyText(k) + ': ');
    if (!d) return w.put('<empty>');
    if ('value' in d) return item(d.value, depth + 1);
    w.put(accessorText(d));
  };

  const object = (o: object, depth: number): void => {
    if (Array.isArray(o)) {
      const len = getOwnPropertyDescriptor(o, 'length')!.value as number;
      const entries = function* () {
        for (let i = 0; i < len; i++) yield prop(o, String(i), depth, false);
      };
      return list('[ ', ' ]', entries(), len);
    }
    if (types.isNativeError(o)) {
      const name = dataProp(o, 'name');
      const message = dataProp(o, 'message');
      return w.put(`${typeof name === 'string' ? name : 'Error'}${typeof message === 'string' && message ? ': ' + message : ''}`);
    }
    if (types.isDate(o)) {
      let s = 'Invalid Date';
      try {
        s = apply(dateToISO, o, []) as string;
      } catch {
        /* invalid date */
      }
      return w.put(s);
    }
    if (types.isRegExp(o)) {
      let flags = '';
      for (const [k, g] of regexpFlags) if (g && apply(g, o, [])) flags += flagLetters[k];
      return w.put(`/${apply(regexpSource, o, []) as string}/${flags}`);
    }
    if (types.isMap(o)) {
      const size = apply(mapSize, o, []) as number;
      const it = apply(mapEntries, o, []) as Iterator<[unknown, unknown]>;
      const entries = function* () {
        for (let r = iteratorNext(it); !r.done; r = iteratorNext(it)) {
          const [k, v] = r.value as [unknown, unknown];
          yield () => {
            item(k, depth + 1);
            w.put(' => ');
            item(v, depth + 1);
          };
        }
      };
      return list(`Map(${size}) { `, ' }', entries(), size);
    }
    if (types.isSet(o)) {
      const size = apply(setSize, o, []) as number;
      const it = apply(setValues, o, []) as Iterator<unknown>;
      const entries = function* () {
        for (let r = iteratorNext(it); !r.done; r = iteratorNext(it)) {
          const v = r.value;
          yield () => item(v, depth + 1);
        }
      };
      return list(`Set(${size}) { `, ' }', entries(), size);
    }
    if (types.isTypedArray(o)) return w.put(`${apply(typedTag, o, []) as string}(${apply(typedLength, o, []) as number})`);
    if (types.isArrayBuffer(o)) return w.put(`ArrayBuffer { byteLength: ${apply(bufferLength, o, []) as number} }`);
    if (types.isPromise(o)) return w.put('Promise {}');
    if (types.isBoxedPrimitive(o)) return w.put('[boxed primitive]');
    const keys = ownKeys(o).filter((k) => getOwnPropertyDescriptor(o, k)?.enumerable);
    const name = constructorName(o);
    const entries = function* () {
      for (const k of keys) yield prop(o, k, depth, true);
    };
    list(name ? `${name} { ` : '{ ', ' }', entries(), keys.length);
  };

  const top = primitive(value, true);
  if (top !== undefined) w.put(top);
  else item(value, 0);
  return w.text();
}
