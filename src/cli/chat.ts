/** `rlm chat`: one conversation in the terminal. Questions come from stdin (a prompt on a
 *  terminal, or piped lines), answers go to stdout, progress to stderr, every question's events to
 *  --trace. Ctrl-C cancels the running question; at the prompt, a second Ctrl-C quits. */
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { RlmError } from '../core/errors';
import { Conversation } from '../core/rlm/conversation';
import type { RunOptions } from '../core/rlm/types';
import { SandboxPool } from '../core/sandbox/pool';
import { TrajectoryWriter } from '../core/trace/trajectory';
import type { CliOptions } from './args';
import { eventSink, scanStep } from './runSetup';
import { EXIT, report, stderr } from './terminal';

export const CHAT_HELP = '/new: a fresh conversation (fresh REPL) · /exit: quit · Ctrl-C: cancel the running question; at the prompt, twice to quit';

type Inputs = Pick<RunOptions, 'rootModel' | 'subModel' | 'budgets' | 'sandboxLimits' | 'turnLimits' | 'prices'>;

export async function chat(o: CliOptions, root: string, log: (line: string) => void, inputs: Inputs): Promise<number> {
  const pool = new SandboxPool({ scriptPath: join(__dirname, 'sandbox.js') });
  const trace = o.trace ? await TrajectoryWriter.open(o.trace) : undefined;
  const sink = eventSink(trace, log);
  const secrets = o.apiKey ? [o.apiKey] : [];
  const open = () =>
    new Conversation({
      workspace: scanStep(o, root, log),
      sandbox: pool,
      idleMs: o.idleMs,
      answerChars: o.answerChars,
      // Told when it happens, so a user back from a break knows the variables are gone.
      onNotice: (n) => log(`rlm: ${n.message}`),
    });
  let conversation = open();
  const interactive = process.stdin.isTTY === true;
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: interactive && process.stderr.isTTY === true, prompt: 'rlm> ' });
  const prompt = () => interactive && rl.prompt();
  let running: AbortController | undefined;
  let interrupts = 0;
  let code: number = EXIT.ok;

  // A terminal in raw mode reports Ctrl-C to readline; piped stdin leaves it to the process signal.
  const onInterrupt = () => {
    if (running) {
      // A second Ctrl-C while the question is still stopping quits at once (the trace is written line by line).
      if (running.signal.aborted) process.exit(EXIT.cancelled);
      log('cancelling the question… (the conversation stays; Ctrl-C again at the prompt quits)');
      running.abort();
      interrupts = 1;
      return;
    }
    if (++interrupts >= 2) {
      code = EXIT.cancelled;
      rl.close();
      return;
    }
    stderr('\n(Ctrl-C again to quit, or /exit)\n');
    prompt();
  };
  rl.on('SIGINT', onInterrupt);
  process.on('SIGINT', onInterrupt);

  try {
    if (interactive) log(`rlm chat over ${root}. ${CHAT_HELP}`);
    prompt();
    for await (const raw of rl) {
      const line = raw.trim();
      interrupts = 0;
      if (line === '/exit' || line === '/quit') break;
      if (line === '/new') {
        await conversation.dispose();
        conversation = open();
        log('new conversation: a fresh REPL');
      } else if (line === '/help') {
        log(CHAT_HELP);
      } else if (line.startsWith('/')) {
        log(`unknown command ${line}: ${CHAT_HELP}`);
      } else if (line) {
        running = new AbortController();
        try {
          const run = conversation.ask({ question: line, ...inputs, signal: running.signal, onEvent: sink }, { secrets });
          report(o, run.id, await run.start());
        } catch (err) {
          // A refusal (e.g. the conversation is busy): no run exists; the chat goes on.
          log(`rlm: ${err instanceof RlmError ? err.message : `unexpected error: ${(err as Error)?.message ?? err}`}`);
        } finally {
          running = undefined;
        }
      }
      prompt();
    }
    return code;
  } finally {
    rl.off('SIGINT', onInterrupt);
    process.off('SIGINT', onInterrupt);
    rl.close();
    await conversation.dispose();
    await trace?.close();
    await pool.dispose();
  }
}
