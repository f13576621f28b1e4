/** How a run's end reads in VS Code's Chat: the answer as Markdown with its verified file references
 *  as anchors (and in the response's reference list), or what stopped the run and the fix as buttons. */
import * as vscode from 'vscode';
import { refKey } from '../../fileRefs';
import type { RunEndEvent } from '../../core/trace/types';
import { fixLabelsFor } from '../fixLabels';
import type { RefVerifier } from '../panel/refVerifier';
import type { Refusal } from '../runController';
import { answerParts, refLines } from './answerParts';

/** Streams `answer`; returns the verified references' URIs (each once). */
export async function streamAnswer(answer: string, verifier: RefVerifier, stream: vscode.ChatResponseStream): Promise<vscode.Uri[]> {
  const parts = answerParts(answer);
  const refs = parts.flatMap((p) => (p.kind === 'ref' ? [p.ref] : []));
  const verified = await verifier.verifyAll(refs);
  const ok = new Map(refs.map((r, i) => [refKey(r), verified[i] === true]));
  const used = new Map<string, vscode.Uri>();
  for (const part of parts) {
    if (part.kind === 'markdown') {
      stream.markdown(part.text);
      continue;
    }
    const uri = ok.get(refKey(part.ref)) ? await verifier.resolve(part.ref) : undefined;
    if (!uri) {
      stream.markdown(part.source);
      continue;
    }
    const lines = refLines(part.ref);
    stream.anchor(lines ? new vscode.Location(uri, new vscode.Range(lines.start, 0, lines.end, 0)) : uri, part.source.replace(/^`|`$/g, ''));
    if (!used.has(uri.toString())) {
      used.set(uri.toString(), uri);
      stream.reference(uri);
    }
  }
  return [...used.values()];
}

/** The commands that fix what `message` describes, as chat buttons. */
export function fixButtons(message: string): vscode.Command[] {
  return fixLabelsFor(message).map(({ label, setting }) =>
    label === 'Set API Key'
      ? { title: label, command: 'rlm.setApiKey' }
      : label === 'Select Model'
        ? { title: label, command: 'rlm.selectModel' }
        : { title: label, command: 'workbench.action.openSettings', arguments: [setting] },
  );
}

/** The buttons a refusal offers (what to do next). */
export function refusalButtons(refusal: Refusal): vscode.Command[] {
  switch (refusal.refused) {
    case 'busy':
      return [{ title: 'Cancel Run', command: 'rlm.cancelRun' }];
    case 'untrusted':
      return [{ title: 'Manage Workspace Trust', command: 'workbench.trust.manage' }];
    case 'no-workspace':
      return [{ title: 'Open Folder', command: 'workbench.action.files.openFolder' }];
    default:
      return fixButtons(refusal.message);
  }
}

/** The sentence for a run that ended without an answer. */
export function endMessage(end: RunEndEvent): string {
  switch (end.status) {
    case 'answered':
      return 'The run answered.';
    case 'forced':
      return 'RLM ran out of turns: the answer was forced from what it had found.';
    case 'cancelled':
      return 'The run was cancelled.';
    case 'budget':
      return `The run stopped at a budget: ${end.reason ?? 'a limit was reached'}. Raise the limit in the "rlm.limits" settings, or ask a narrower question.`;
    case 'interrupted':
      return 'The run was interrupted: VS Code closed or reloaded while it worked. Ask again.';
    default:
      return `The run failed: ${end.reason ?? 'no reason was given'}`;
  }
}
