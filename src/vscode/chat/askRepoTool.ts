/**
 * The language model tool `rlm_askRepo`: Copilot's agent mode (or any chat participant) hands a
 * codebase-scale question to RLM. VS Code shows the confirmation with the question first; the run goes
 * through the RunController (trust, busy refusal, budgets, history), the call's token cancels it, and
 * the result is the answer with the references that were verified against the workspace.
 */
import * as vscode from 'vscode';
import { refKey } from '../../fileRefs';
import { shorten } from '../../core/shorten';
import type { RunController } from '../runController';
import { answerParts } from './answerParts';
import { endMessage } from './chatAnswer';
import { resolveFolder } from './workspaceFolder';

export const TOOL_NAME = 'rlm_askRepo';
/** Longest question the tool takes (a model could send anything). */
export const MAX_TOOL_QUESTION_CHARS = 4000;

export interface AskRepoInput {
  question: string;
  folder?: string;
}

/** The input checked: models send whatever they like. */
function checkInput(input: unknown): AskRepoInput | string {
  const { question, folder } = (input ?? {}) as Record<string, unknown>;
  if (typeof question !== 'string' || !question.trim()) return 'The "question" input is required: a question about the workspace, in plain words.';
  if (question.length > MAX_TOOL_QUESTION_CHARS) return `The question is longer than ${MAX_TOOL_QUESTION_CHARS} characters; ask it in fewer words.`;
  if (folder !== undefined && typeof folder !== 'string') return 'The "folder" input must be a workspace-relative folder path, e.g. "src/core".';
  return { question: question.trim(), ...(folder?.trim() ? { folder: folder.trim() } : {}) };
}

/** The verified references of `answer`, each once, as `path:line` text. */
async function verifiedRefs(answer: string, verify: (refs: unknown[]) => Promise<boolean[]>): Promise<string[]> {
  const refs = answerParts(answer).flatMap((p) => (p.kind === 'ref' ? [p.ref] : []));
  const ok = await verify(refs);
  const out = new Map<string, string>();
  refs.forEach((r, i) => {
    if (ok[i]) out.set(refKey(r), `${r.path}${r.line ? `:${r.line}${r.endLine ? `-${r.endLine}` : ''}` : ''}`);
  });
  return [...out.values()];
}

export function askRepoTool(controller: RunController): vscode.LanguageModelTool<AskRepoInput> {
  return {
    prepareInvocation(options) {
      const input = checkInput(options.input);
      // Nothing to confirm: invoke() turns the input down before any run.
      if (typeof input === 'string') return { invocationMessage: 'Asking RLM (the input is not valid)' };
      const { question, folder } = input;
      // The question and folder come from a model: shown inside a code block, never as Markdown.
      const message = new vscode.MarkdownString(
        `RLM will explore ${folder ? 'a folder of ' : ''}this workspace: it runs model-written code in a sandbox over the files and sends parts of them to the configured models. The question${folder ? ' and folder' : ''}:`,
      ).appendCodeblock(folder ? `${shorten(question, 1000)}\n\nfolder: ${shorten(folder, 200)}` : shorten(question, 1000), 'text');
      return {
        invocationMessage: `Asking RLM: ${shorten(question, 80)}`,
        confirmationMessages: { title: 'Ask RLM about this workspace?', message },
      };
    },

    async invoke(options, token) {
      const input = checkInput(options.input);
      if (typeof input === 'string') throw new Error(input);
      let folder: vscode.Uri | undefined;
      if (input.folder) {
        const found = await resolveFolder(input.folder);
        if (!(found instanceof vscode.Uri)) throw new Error(found.problem);
        folder = found;
      }
      const reply = await controller.start({ question: input.question, folder, quiet: true, token });
      if ('refused' in reply) throw new Error(`RLM did not run: ${reply.message}`);
      const { end, runId, verifier } = reply;
      if (end.status === 'cancelled' || token.isCancellationRequested) throw new vscode.CancellationError();
      if (end.answer === undefined) throw new Error(`RLM did not answer. ${endMessage(end)}`);
      const refs = await verifiedRefs(end.answer, (r) => verifier.verifyAll(r));
      const text = [
        end.answer,
        refs.length ? `\n\nReferences verified against the workspace:\n${refs.map((r) => `- ${r}`).join('\n')}` : '',
        end.status === 'answered' ? '' : `\n\n(${endMessage(end)})`,
        `\n\n(RLM run ${runId}: "RLM: Open Run" in the Runs view shows how it was found.)`,
      ].join('');
      return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(text)]);
    },
  };
}
