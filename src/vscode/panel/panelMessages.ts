/**
 * The host's first look at a message from the run panel (webview). The webview is a less trusted
 * context (it renders model text), so anything it posts is checked for shape and size before the
 * panel acts on it; what fails is ignored with a reason for the log. Pure: no vscode import.
 */
import { PROTOCOL_LIMITS, type WebviewToHost } from '../../panelProtocol';

/** A message bigger than this (characters of strings plus a little per value) is never acted on:
 *  the largest real one, a verifyRefs of 500 references, stays far below. */
export const MESSAGE_CHARS = 1_000_000;
const MAX_DEPTH = 6;

const TYPES = new Set<WebviewToHost['type']>(['ready', 'verifyRefs', 'openRef', 'cancel', 'rerun', 'resume', 'openSetting', 'copy', 'openMarkdown', 'followUp']);
const RUN_ID = new RegExp(`^[A-Za-z0-9_.-]{1,${PROTOCOL_LIMITS.runIdChars}}$`);

export type CheckedMessage = { message: WebviewToHost } | { ignored: string };

/** Either the message, typed, or why it is ignored (short, safe to log). */
export function checkPanelMessage(raw: unknown): CheckedMessage {
  if (!isRecord(raw)) return { ignored: `not an object (${raw === null ? 'null' : Array.isArray(raw) ? 'array' : typeof raw})` };
  if (typeof raw.type !== 'string') return { ignored: 'no message type' };
  const type = raw.type;
  if (!TYPES.has(type as WebviewToHost['type'])) return { ignored: `unknown message type "${shorten(type)}"` };
  const size = sizeProblem(raw, MESSAGE_CHARS);
  if (size) return { ignored: `"${type}" message ${size}` };
  if (type === 'verifyRefs') {
    if (!Number.isSafeInteger(raw.seq) || (raw.seq as number) < 0) return { ignored: 'verifyRefs without a valid seq' };
    if (!Array.isArray(raw.refs)) return { ignored: 'verifyRefs without a refs array' };
    if (raw.refs.length > PROTOCOL_LIMITS.refsPerRequest) return { ignored: `verifyRefs with ${raw.refs.length} references (at most ${PROTOCOL_LIMITS.refsPerRequest})` };
  }
  if (type === 'openRef' && !isRecord(raw.ref)) return { ignored: 'openRef without a reference' };
  if (type === 'openSetting' && raw.setting !== 'rlm.prices') return { ignored: 'openSetting for a setting the panel does not link to' };
  if (type === 'copy' && (typeof raw.text !== 'string' || (raw.what !== 'answer' && raw.what !== 'code'))) return { ignored: 'copy without text' };
  if (type === 'openMarkdown' && !isRunId(raw.runId)) return { ignored: 'openMarkdown without a valid run id' };
  if (type === 'followUp') {
    if (typeof raw.question !== 'string' || !raw.question.trim()) return { ignored: 'followUp without a question' };
    if (raw.question.length > PROTOCOL_LIMITS.questionChars) return { ignored: `followUp question over ${PROTOCOL_LIMITS.questionChars} characters` };
  }
  return { message: raw as unknown as WebviewToHost };
}

export function isRunId(v: unknown): v is string {
  return typeof v === 'string' && RUN_ID.test(v);
}

/** The run ids a panel kept across a reload (its webview state: untrusted), at most `max`. */
export function restoredRunIds(state: unknown, max = 20): string[] {
  if (!isRecord(state) || !Array.isArray(state.runIds)) return [];
  return state.runIds.filter(isRunId).slice(0, max);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Walks the value with a budget, so a huge or deeply nested payload costs at most the budget. */
function sizeProblem(value: unknown, budget: number): string | undefined {
  let left = budget;
  let tooDeep = false;
  const walk = (v: unknown, depth: number): boolean => {
    left -= 8;
    if (typeof v === 'string') left -= v.length;
    else if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) left -= v.byteLength;
    else if (typeof v === 'object' && v !== null) {
      if (depth >= MAX_DEPTH) return !(tooDeep = true);
      if (Array.isArray(v)) {
        if (v.length * 8 > left) return false;
        for (const e of v) if (!walk(e, depth + 1)) return false;
      } else {
        for (const key in v) {
          left -= key.length;
          if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
          if (!walk((v as Record<string, unknown>)[key], depth + 1)) return false;
        }
      }
    }
    return left >= 0;
  };
  if (walk(value, 0)) return undefined;
  return tooDeep ? `nested deeper than ${MAX_DEPTH} levels` : `over ${budget.toLocaleString('en-US')} characters`;
}

function shorten(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}
