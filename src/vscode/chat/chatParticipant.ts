/**
 * `@rlm` in VS Code's Chat: each request is a run through the RunController (so trust, the busy
 * refusal, budgets and history apply as for Ask the Repo), its progress as `stream.progress`, its
 * answer as Markdown with verified references as anchors, and a button to its recursion tree. The
 * thread's conversation is found in `context.history` (`chatThread.ts`). `/explain` explains a folder,
 * `/new` starts a new conversation. The request's token cancels the run.
 */
import * as vscode from 'vscode';
import { safeMessage } from '../../core/errors';
import type { RunController, StartReply } from '../runController';
import { endMessage, refusalButtons, fixButtons, streamAnswer } from './chatAnswer';
import { ChatProgress } from './chatProgress';
import { chatMetadata, earlierTurns, threadOf, type ChatTurnMeta, type HistoryTurn } from './chatThread';
import { explainQuestion, resolveFolder } from './workspaceFolder';

/** The participant's id (package.json `chatParticipants`); people type its name, `@rlm`. */
export const PARTICIPANT_ID = 'rlm-team.rlm';

const HELP =
  'Ask me about this workspace, e.g. `@rlm where is the retry policy configured?`. I explore it by running code over its files and calling sub-models, then answer with file references.\n\n' +
  '- `@rlm /explain src/core` explains a folder (without a name: the active file\'s folder)\n' +
  '- `@rlm /new` starts a new conversation';

/** A chat request as the handler reads it (VS Code's `ChatRequest`; the model may be absent where no chat model exists). */
export type RlmChatRequest = Pick<vscode.ChatRequest, 'prompt' | 'command' | 'references'> & { model?: vscode.LanguageModelChat };

/** The folder `/explain` explains: the prompt's, an attached folder or file, else the active file's. */
async function explainTarget(request: RlmChatRequest): Promise<vscode.Uri | { problem: string }> {
  if (request.prompt.trim()) return resolveFolder(request.prompt);
  for (const ref of request.references) {
    const v = ref.value;
    const uri = v instanceof vscode.Uri ? v : v instanceof vscode.Location ? v.uri : undefined;
    if (uri) return (await vscode.workspace.fs.stat(uri).then((s) => s.type & vscode.FileType.Directory, () => 0)) ? uri : vscode.Uri.joinPath(uri, '..');
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && active.scheme !== 'untitled') return vscode.Uri.joinPath(active, '..');
  return { problem: 'Name a folder (`@rlm /explain src/core`) or open a file in it first.' };
}

export function chatHandler(controller: RunController): (request: RlmChatRequest, context: vscode.ChatContext, stream: vscode.ChatResponseStream, token: vscode.CancellationToken) => Promise<vscode.ChatResult> {
  const ask = async (
    question: string,
    thread: { conversationId?: string; folder?: string },
    history: readonly HistoryTurn[],
    request: RlmChatRequest,
    stream: vscode.ChatResponseStream,
    token: vscode.CancellationToken,
  ): Promise<vscode.ChatResult> => {
    const progress = new ChatProgress();
    stream.progress(thread.conversationId ? 'Continuing the conversation…' : 'Scanning the workspace…');
    const folder = thread.folder ? vscode.Uri.parse(thread.folder) : undefined;
    const reply: StartReply = await controller.start({
      question,
      folder,
      quiet: true,
      token,
      chatModel: request.model,
      onEvent: (event) => {
        const line = progress.line(event, Date.now());
        if (line) stream.progress(line);
      },
      // One REPL across the thread's questions; made again from the thread if this window lost it.
      conversation: thread.conversationId ? { id: thread.conversationId, turns: earlierTurns(history, PARTICIPANT_ID, thread.conversationId) } : {},
      onNotice: (message) => stream.markdown(`_${message}_\n\n`),
    });
    if ('refused' in reply) {
      stream.markdown(reply.message);
      for (const b of refusalButtons(reply)) stream.button(b);
      // No run: the thread's conversation, if any, stays as it was.
      return { errorDetails: { message: reply.message }, metadata: chatMetadata(thread) };
    }
    const { runId, end, verifier, conversationId } = reply;
    const meta: ChatTurnMeta = { runId, conversationId, ...(thread.folder ? { folder: thread.folder } : {}) };
    let errorDetails: vscode.ChatErrorDetails | undefined;
    if (end.answer !== undefined) {
      await streamAnswer(end.answer, verifier, stream);
      if (end.status === 'forced') stream.markdown(`\n\n_${endMessage(end)}_`);
    }
    if (end.status !== 'answered' && end.status !== 'forced') {
      const message = endMessage(end);
      stream.markdown(`${end.answer !== undefined ? '\n\n' : ''}${message}`);
      if (end.status !== 'cancelled') {
        errorDetails = { message };
        for (const b of fixButtons(message)) stream.button(b);
      }
    }
    stream.button({ title: 'Show the recursion tree', command: 'rlm.history.open', arguments: [runId] });
    return { metadata: chatMetadata(meta), ...(errorDetails ? { errorDetails } : {}) };
  };

  return async (request, context, stream, token) => {
    try {
      const history = context.history as readonly HistoryTurn[];
      const thread = threadOf(history, PARTICIPANT_ID);
      if (request.command === 'new') {
        // The old conversation's REPL process goes now, not at its idle time-out.
        if (thread.conversationId) await controller.endConversation(thread.conversationId);
        if (request.prompt.trim()) return await ask(request.prompt.trim(), {}, history, request, stream, token);
        stream.markdown('Started a new conversation: the next question begins afresh.');
        return { metadata: chatMetadata({ newConversation: true }) };
      }
      if (request.command === 'explain') {
        const folder = await explainTarget(request);
        if (!(folder instanceof vscode.Uri)) {
          stream.markdown(folder.problem);
          return { errorDetails: { message: folder.problem }, metadata: chatMetadata(thread) };
        }
        // An explanation starts its own conversation, limited to that folder (follow-ups stay there).
        return await ask(explainQuestion(folder), { folder: folder.toString() }, history, request, stream, token);
      }
      if (!request.prompt.trim()) {
        stream.markdown(HELP);
        return { metadata: chatMetadata(thread) };
      }
      return await ask(request.prompt.trim(), thread, history, request, stream, token);
    } catch (err) {
      const message = `RLM failed: ${safeMessage(err, 'an internal error (see the RLM output channel).')}`;
      stream.markdown(message);
      return { errorDetails: { message } };
    }
  };
}
