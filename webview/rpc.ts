/** The webview's side of src/panelProtocol.ts: typed postMessage out, typed handlers in, and
 *  request/reply by sequence number so a request reads like an async function call. */
import type { FileRef, HostToWebview, PanelState, WebviewToHost } from '../src/panelProtocol';

interface VsCodeApi {
  postMessage(message: WebviewToHost): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api: VsCodeApi = acquireVsCodeApi();
let nextSeq = 1;
export interface VerifyReply {
  verified: boolean[];
  paths?: Array<string | null>;
}
const pending = new Map<number, (reply: VerifyReply) => void>();

export function post(message: WebviewToHost): void {
  api.postMessage(message);
}

/** Kept by VS Code across a window reload; the host's serializer restores the panel from it. */
export function saveState(state: PanelState): void {
  api.setState(state);
}

export function verifyRefs(refs: FileRef[]): Promise<VerifyReply> {
  const seq = nextSeq++;
  return new Promise((resolve) => {
    pending.set(seq, resolve);
    post({ type: 'verifyRefs', seq, refs });
  });
}

export function onHostMessage(handler: (message: Exclude<HostToWebview, { type: 'verifyRefs.reply' }>) => void): void {
  window.addEventListener('message', (event: MessageEvent) => {
    const msg = event.data as HostToWebview;
    if (!msg || typeof msg !== 'object' || typeof msg.type !== 'string') return;
    if (msg.type === 'verifyRefs.reply') {
      const resolve = pending.get(msg.seq);
      pending.delete(msg.seq);
      resolve?.({ verified: msg.verified, paths: msg.paths });
      return;
    }
    handler(msg);
  });
}
