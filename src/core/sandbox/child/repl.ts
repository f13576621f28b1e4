import { types } from 'node:util';
import type { SandboxLimits } from '../types';
import { MAX_CALLS_IN_FLIGHT, type CallOp, type ChildMessage } from '../sandboxIpc';
import { BoundedText, escapeControls, headTail } from '../text';
import { dataProp, formatValue } from './format';
import { historyOf, makeEndowments, RESERVED_NAMES, type EndowmentHost } from './endowments';
import { CELL_HELPER, CellSyntaxError, transformCell, type TransformedCell } from './transform';

/** One session's REPL: a Compartment whose global object holds the user's variables. */

type Send = (msg: ChildMessage) => void;

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

interface Cell {
  id: number;
  index: number;
  open: boolean;
  output: BoundedText;
  /** Characters of the output head already streamed to the host. */
  streamed: number;
  final?: string;
  pending: Map<number, Pending>;
  /** Ends a cell that can no longer make progress. */
  stall?: (e: Error) => void;
}

const ERROR_CHARS = 2000;
// Names a cell must not declare: the endowments plus what the cell wrapper itself relies on.
const RESERVED = new Set<string>([...RESERVED_NAMES, 'globalThis', CELL_HELPER]);
// Installed by lockdown(), which runs after this module loads: look it up when needed.
const getStackString = (e: object): string | undefined =>
  (globalThis as { getStackString?: (e: object) => string }).getStackString?.(e);

export class Repl {
  private readonly compartment: Compartment;
  private readonly global: Record<PropertyKey, unknown>;
  private readonly baseNames: Set<PropertyKey>;
  private cell: Cell | undefined;
  private nextCallId = 1;
  /** A conversation's earlier questions, read through the `history` getter (replaced between questions). */
  private history: readonly object[] = historyOf([]);

  constructor(context: unknown, private readonly limits: SandboxLimits, private readonly send: Send) {
    const host: EndowmentHost = {
      limits,
      assertOpen: (name) => {
        if (!this.cell?.open) throw new Error(`${name} was called after its cell ended; call it inside a cell and await it`);
      },
      call: (op, args) => this.call(op, args),
      print: (text) => this.print(text),
      setFinal: (value) => {
        this.cell!.final = value;
      },
      lookup: (name) => {
        const d = Object.getOwnPropertyDescriptor(this.global, name);
        return d && 'value' in d && !RESERVED.has(name) ? { found: true, value: d.value } : { found: false };
      },
      variables: () => Reflect.ownKeys(this.global).filter((k): k is string => typeof k === 'string' && !this.baseNames.has(k)),
    };
    const endowments = makeEndowments(host, harden(context));
    // Real Date and Math: inside compartments SES makes Date.now() and Math.random() throw. The
    // float arrays SES leaves out of new compartments (a NaN side channel, harmless here).
    this.compartment = new Compartment({ globals: { Date, Math, Float32Array, Float64Array }, __options__: true });
    this.global = this.compartment.globalThis;
    for (const name of RESERVED_NAMES) {
      if (name === 'history') continue;
      Object.defineProperty(this.global, name, { value: endowments[name], writable: false, enumerable: false, configurable: false });
    }
    // A getter, so that the host can replace the array between questions while the name stays fixed.
    Object.defineProperty(this.global, 'history', { get: harden(() => this.history), enumerable: false, configurable: false });
    this.baseNames = new Set(Reflect.ownKeys(this.global));
    // The standard globals (String, JSON, Promise, ...) are read-only like the endowments: a cell
    // that replaces one would otherwise change what every later cell of the run sees.
    for (const name of this.baseNames) {
      const d = Object.getOwnPropertyDescriptor(this.global, name);
      if (d?.configurable && 'value' in d) Object.defineProperty(this.global, name, { value: d.value, writable: false, enumerable: d.enumerable, configurable: false });
    }
  }

  /** Replaces `history` (the host sends it before a conversation's question). */
  setHistory(entries: unknown): void {
    this.history = historyOf(entries);
  }

  private call(op: CallOp, args: unknown[]): Promise<unknown> {
    const cell = this.cell!;
    if (cell.pending.size >= MAX_CALLS_IN_FLIGHT) {
      return Promise.reject(new RangeError(`${op}: ${MAX_CALLS_IN_FLIGHT} calls are already waiting; await some before starting more`));
    }
    const id = this.nextCallId++;
    this.flush(cell);
    return new Promise((resolve, reject) => {
      cell.pending.set(id, { resolve, reject });
      this.send({ t: 'call', cell: cell.id, id, op, args });
    });
  }

  reply(cellId: number, id: number, ok: boolean, value: unknown, message: unknown): void {
    const cell = this.cell;
    if (!cell || cell.id !== cellId) return; // the cell ended: its calls were already rejected
    const p = cell.pending.get(id);
    if (!p) return;
    cell.pending.delete(id);
    if (ok) p.resolve(value);
    else p.reject(new Error(typeof message === 'string' ? message : 'the call failed'));
    this.checkStall(cell);
  }

  /** Rejects when the cell can no longer make progress. Model code has no timers, so only a reply
   *  from the host can wake it: once the microtasks have drained (setImmediate) with the cell still
   *  running and no call pending, it awaits something that will never settle. Checked at the start
   *  and after each reply, never by polling. */
  private stalled(cell: Cell): Promise<never> {
    return new Promise<never>((_, reject) => {
      cell.stall = reject;
      this.checkStall(cell);
    });
  }

  private checkStall(cell: Cell): void {
    setImmediate(() => {
      if (cell.open && cell.pending.size === 0 && cell.stall) {
        cell.stall(new Error('the cell awaits a promise that can never settle (no readFile, grep or sub-call is pending)'));
      }
    });
  }

  private print(text: string): void {
    const cell = this.cell;
    if (!cell) return; // a note from an endowment that finished after its cell ended
    cell.output.append(escapeControls(text));
    // Until the head is full every print is streamed, so a cell killed in a loop still shows it.
    this.flush(cell);
  }

  /** Streams the not yet sent part of the output head, so a killed cell still shows it. */
  private flush(cell: Cell): void {
    const head = Math.ceil(this.limits.outputChars / 2);
    if (cell.streamed >= head || cell.output.length === cell.streamed) return;
    const text = cell.output.head.slice(cell.streamed, head);
    cell.streamed += text.length;
    if (text) this.send({ t: 'out', cell: cell.id, text });
  }

  async run(id: number, index: number, source: string): Promise<ChildMessage> {
    if (this.cell) return { t: 'done', cell: id, output: '', error: 'Error: a cell is already running' };
    const cell: Cell = { id, index, open: true, output: new BoundedText(this.limits.outputChars), streamed: 0, pending: new Map() };
    this.cell = cell;
    let error: string | undefined;
    let t: TransformedCell | undefined;
    try {
      t = transformCell(source, RESERVED, (name) => name in this.global);
      this.prepare(t);
      const fn = this.compartment.evaluate(`${t.code}\n//# sourceURL=cell-${index}`) as (h: object) => Promise<unknown>;
      const helper = harden({
        fn: (name: unknown, value: unknown) => {
          if (typeof name === 'string' && t!.functions.includes(name)) this.define(name, value, true);
        },
        chk: (name: unknown) => {
          if (typeof name !== 'string' || !(name in this.global)) throw new ReferenceError(`${String(name)} is not defined`);
          return this.global[name];
        },
      });
      const value = await Promise.race([fn(helper), this.stalled(cell)]);
      if (t.hasValue && value !== undefined) {
        cell.output.append(escapeControls(formatValue(value, { budget: this.limits.valueChars })));
      }
    } catch (err) {
      error = this.describeError(err, index);
    } finally {
      if (t) for (const name of t.consts) this.lock(name);
      this.close(cell);
    }
    const msg: ChildMessage = { t: 'done', cell: id, output: cell.output.toString() };
    if (error !== undefined) msg.error = error;
    if (cell.final !== undefined) msg.final = headTail(escapeControls(cell.final), this.limits.valueChars);
    return msg;
  }

  /** Revokes the cell's endowments: pending calls reject and later calls throw. */
  private close(cell: Cell): void {
    cell.open = false;
    this.cell = undefined;
    for (const p of cell.pending.values()) p.reject(new Error('the cell ended before this call returned'));
    cell.pending.clear();
  }

  /** Declared names must exist on the global before the cell assigns them (strict mode). */
  private prepare(t: TransformedCell): void {
    for (const name of t.declared) {
      const d = Object.getOwnPropertyDescriptor(this.global, name);
      if (!d) this.define(name, undefined, true);
      else if (d.configurable && !('value' in d && d.writable)) this.define(name, 'value' in d ? d.value : undefined, true);
    }
  }

  private define(name: string, value: unknown, writable: boolean): void {
    const d = Object.getOwnPropertyDescriptor(this.global, name);
    if (d && !d.configurable) return;
    Object.defineProperty(this.global, name, { value, writable, enumerable: true, configurable: true });
  }

  /** Top-level const stays non-reassignable in later cells (a new `const` may redeclare it). */
  private lock(name: string): void {
    const d = Object.getOwnPropertyDescriptor(this.global, name);
    if (d && 'value' in d && d.configurable) this.define(name, d.value, false);
  }

  private describeError(err: unknown, index: number): string {
    let text: string;
    if (err instanceof CellSyntaxError) {
      text = `${err.message} (line ${err.line})`;
    } else if (typeof err === 'object' && err !== null && types.isNativeError(err) && !types.isProxy(err)) {
      const name = dataProp(err, 'name');
      const message = dataProp(err, 'message');
      text = `${typeof name === 'string' ? name : 'Error'}: ${typeof message === 'string' ? message : ''}`;
      const where = this.errorLine(err, index);
      if (where) text += ` (${where})`;
    } else {
      text = `Uncaught ${formatValue(err, { budget: ERROR_CHARS, depth: 2 })}`;
    }
    return headTail(escapeControls(text), ERROR_CHARS);
  }

  /** The innermost cell frame of the error's stack, read with SES's start-compartment power;
   *  the stack itself never reaches model code (it names host paths). */
  private errorLine(err: object, index: number): string | undefined {
    const d = Object.getOwnPropertyDescriptor(err, 'stack');
    // Only an own data `stack` (what V8 gives every error) is read: anything else could run model code.
    if (!d || !('value' in d)) return undefined;
    let stack: string | undefined;
    try {
      stack = getStackString(err);
    } catch {
      return undefined;
    }
    const m = /\bcell-(\d+):(\d+):\d+/.exec(stack ?? '');
    if (!m) return undefined;
    return Number(m[1]) === index ? `line ${m[2]}` : `line ${m[2]} of cell ${m[1]}`;
  }
}
