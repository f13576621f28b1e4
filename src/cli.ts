import { join, resolve } from 'node:path';
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CACHE_OPTIONS, parseCli, parseCommand, USAGE, UsageError, type CliOptions } from './cli/args';
import { chat } from './cli/chat';
import { evalMain } from './cli/eval';
import { resolveEndpoint } from './cli/localEndpoint';
import { eventSink, onCtrlC, runInputs, scanStep } from './cli/runSetup';
import { EXIT, fail, report, stderr } from './cli/terminal';
import { RlmError } from './core/errors';
import { DEFAULT_CACHE_MB } from './core/llm/defaults';
import { defaultCacheDir, ReplyCache } from './core/llm/replyCache';
import { costCapProblem } from './core/llm/usage';
import { Replay } from './core/rlm/replay';
import { Run } from './core/rlm/run';
import { DEFAULT_BUDGETS, type ResumeOptions } from './core/rlm/types';
import { SandboxPool } from './core/sandbox/pool';
import { readTrajectory, TrajectoryWriter } from './core/trace/trajectory';

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'eval') return evalMain(argv.slice(1));
  if (argv[0] === 'cache') return cacheMain(argv.slice(1));
  const parsed = parseCommand(() => parseCli(argv, process.env, process.cwd()), USAGE, 'rlm');
  if (typeof parsed === 'number') return parsed;
  const log = (line: string) => parsed.quiet || stderr(`${line}\n`);
  const root = resolve(parsed.root);
  try {
    if (!statSync(root).isDirectory()) throw new Error();
  } catch {
    return fail(parsed, `--root is not a directory: ${parsed.root}`, EXIT.usage);
  }
  let o: CliOptions;
  try {
    o = await resolveEndpoint(parsed, process.env, log);
  } catch (err) {
    if (err instanceof UsageError) return fail(parsed, err.message, EXIT.usage);
    throw err;
  }
  const cache = o.cacheDir ? new ReplyCache(o.cacheDir, (o.cacheMaxMb ?? DEFAULT_CACHE_MB) * 1024 * 1024) : undefined;
  // Models, budgets and prices are built once; the cost cap is checked against those same prices.
  const inputs = runInputs(o, cache);
  let resume: ResumeOptions | undefined;
  if (o.resume) {
    try {
      resume = { replay: Replay.fromEvents((await readTrajectory(o.resume)).events) };
    } catch (err) {
      return fail(o, err instanceof RlmError ? err.message : `cannot read --resume ${o.resume}: ${(err as NodeJS.ErrnoException).code ?? 'read failed'}`, EXIT.usage);
    }
    const b = { ...DEFAULT_BUDGETS, ...Object.fromEntries(Object.entries(inputs.budgets ?? {}).filter(([, x]) => x !== undefined)) };
    log(`resuming run ${resume.replay.runId}: ${resume.replay.rootReplies.length} recorded turns replayed without model requests, then fresh budgets: ${b.maxIterations} turns, ${b.maxSubcalls} sub-calls, ${b.maxTokens} tokens, ${Number.isFinite(b.maxCostUsd) ? `$${b.maxCostUsd}` : 'no cost cap'}`);
    resume.confirmChanged = (changed) => confirmChanged(o, changed);
  }
  const unpriced = costCapProblem(o.maxCostUsd ?? Infinity, inputs.prices ?? {}, [o.model, o.subModel]);
  if (unpriced) return fail(o, unpriced, EXIT.usage);
  return o.command === 'chat' ? chat(o, root, log, inputs) : ask(o, root, log, inputs, resume);
}

async function ask(o: CliOptions, root: string, log: (line: string) => void, inputs: ReturnType<typeof runInputs>, resume?: ResumeOptions): Promise<number> {
  const controller = onCtrlC(log, 'cancelling…', EXIT.cancelled);
  const pool = new SandboxPool({ scriptPath: join(__dirname, 'sandbox.js') });
  const trace = o.trace ? await TrajectoryWriter.open(o.trace) : undefined;
  const sink = eventSink(trace, log);
  try {
    const run = new Run(
      {
        question: resume?.replay.question ?? o.question,
        scope: resume?.replay.scope,
        resume,
        workspace: scanStep(o, root, log),
        ...inputs,
        signal: controller.signal,
        onEvent: sink,
      },
      { sandbox: pool, secrets: o.apiKey ? [o.apiKey] : [] },
    );
    return report(o, run.id, await run.start());
  } catch (err) {
    return fail(o, err instanceof RlmError ? err.message : `unexpected error: ${(err as Error)?.message ?? err}`, EXIT.failed);
  } finally {
    sink.stop();
    controller.dispose();
    await trace?.close();
    await pool.dispose();
  }
}

/** Changed files before a resume: said on stderr; going on needs --yes or a "y" at a terminal. */
async function confirmChanged(o: CliOptions, changed: string[]): Promise<boolean> {
  stderr(`rlm: warning: ${changed.length} file(s) the recorded cells read changed since the run: ${changed.slice(0, 20).join(', ')}${changed.length > 20 ? ', …' : ''}\n`);
  stderr('rlm: the replayed cells now see the new text, so the REPL state may differ from the recorded run.\n');
  if (o.yes) return true;
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    stderr('rlm: not resuming; run again with --yes to resume anyway.\n');
    return false;
  }
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question('Resume anyway? [y/N] ')).trim());
  } finally {
    rl.close();
  }
}

/** `rlm cache clear [--cache-dir DIR]`. */
async function cacheMain(argv: string[]): Promise<number> {
  const usage = 'Usage: rlm cache clear [--cache-dir DIR]\n\nDeletes every cached model reply (default folder: $XDG_CACHE_HOME/rlm or ~/.cache/rlm).';
  const parsed = parseCommand<string>(
    () => {
      let v;
      try {
        v = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { 'cache-dir': CACHE_OPTIONS['cache-dir'], help: { type: 'boolean', short: 'h' } } });
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      if (v.values.help) return { help: true as const };
      if (v.positionals.join(' ') !== 'clear') throw new UsageError('unknown cache command (try: rlm cache clear)');
      const dir: string = v.values['cache-dir'] ?? defaultCacheDir();
      return { help: false as const, options: dir };
    },
    usage,
    'rlm cache',
  );
  if (typeof parsed === 'number') return parsed;
  await new ReplyCache(parsed).clear();
  stderr(`cleared the reply cache in ${parsed}\n`);
  return EXIT.ok;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    stderr(`rlm: unexpected error: ${(err as Error)?.message ?? err}\n`);
    process.exitCode = EXIT.failed;
  },
);
