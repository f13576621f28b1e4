import { basename, join, resolve } from 'node:path';
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CACHE_OPTIONS, parseCli, parseCommand, UsageError, USAGE, type CliOptions } from './cli/args';
import { evalMain } from './cli/eval';
import { progressLine, SubcallMilestones } from './cli/progress';
import { onCtrlC, runInputs } from './cli/runSetup';
import { RlmError } from './core/errors';
import { DEFAULT_CACHE_MB } from './core/llm/defaults';
import { defaultCacheDir, ReplyCache } from './core/llm/replyCache';
import { costCapProblem, formatCost } from './core/llm/usage';
import { Replay } from './core/rlm/replay';
import { Run } from './core/rlm/run';
import { DEFAULT_BUDGETS, type ResumeOptions } from './core/rlm/types';
import { SandboxPool } from './core/sandbox/pool';
import { terminalSafe } from './core/text/visible';
import { readTrajectory, TrajectoryWriter } from './core/trace/trajectory';
import type { RunEndEvent, TraceEvent } from './core/trace/types';
import { NodeFileSource, scanWorkspace } from './core/workspace';

const EXIT = { ok: 0, failed: 1, usage: 2, budget: 3, cancelled: 130 } as const;

// Everything this process writes goes through these two: the answer, progress, JSON and every
// error line carry model or endpoint text, which must not drive the terminal or hide characters.
const stdout = (text: string) => process.stdout.write(terminalSafe(text));
const stderr = (text: string) => process.stderr.write(terminalSafe(text));

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'eval') return evalMain(argv.slice(1));
  if (argv[0] === 'cache') return cacheMain(argv.slice(1));
  const options = parseCommand(() => parseCli(argv, process.env, process.cwd()), USAGE, 'rlm');
  return typeof options === 'number' ? options : ask(options);
}

async function ask(o: CliOptions): Promise<number> {
  const log = (line: string) => o.quiet || stderr(`${line}\n`);
  const root = resolve(o.root);
  try {
    if (!statSync(root).isDirectory()) throw new Error();
  } catch {
    return fail(o, `--root is not a directory: ${o.root}`, EXIT.usage);
  }
  const cache = o.cacheDir ? new ReplyCache(o.cacheDir, (o.cacheMaxMb ?? DEFAULT_CACHE_MB) * 1024 * 1024) : undefined;
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
  const question = resume?.replay.question ?? o.question;
  const unpriced = costCapProblem(o.maxCostUsd ?? Infinity, inputs.prices ?? {}, [o.model, o.subModel]);
  if (unpriced) return fail(o, unpriced, EXIT.usage);

  const controller = onCtrlC(log, 'cancelling…', EXIT.cancelled);

  const pool = new SandboxPool({ scriptPath: join(__dirname, 'sandbox.js') });
  const trace = o.trace ? await TrajectoryWriter.open(o.trace) : undefined;
  try {
    const milestones = new SubcallMilestones();
    const run = new Run(
      {
        question,
        scope: resume?.replay.scope,
        resume,
        workspace: async (signal) => {
          log(`scanning ${root}…`);
          const workspace = await scanWorkspace([{ name: basename(root), source: new NodeFileSource(root) }], {
            excludes: o.excludes,
            maskSecrets: o.maskSecrets,
            knownSecrets: o.apiKey ? [o.apiKey] : [],
            signal,
          });
          const t = workspace.context.totals;
          log(`${t.files} files, ${t.lines} lines (${t.skipped} skipped); asking ${o.model} at ${new URL(o.baseURL).host}`);
          return workspace;
        },
        ...inputs,
        signal: controller.signal,
        onEvent: (e: TraceEvent) => {
          trace?.append(e);
          const line = progressLine(e) ?? milestones.note(e);
          if (line) log(line);
        },
      },
      { sandbox: pool, secrets: o.apiKey ? [o.apiKey] : [] },
    );
    return report(o, run.id, await run.start());
  } catch (err) {
    return fail(o, err instanceof RlmError ? err.message : `unexpected error: ${(err as Error)?.message ?? err}`, EXIT.failed);
  } finally {
    controller.dispose();
    await trace?.close();
    await pool.dispose();
  }
}

function report(o: CliOptions, runId: string, r: RunEndEvent): number {
  const code = r.answer !== undefined && (r.status === 'answered' || r.status === 'forced')
    ? EXIT.ok
    : r.status === 'cancelled' ? EXIT.cancelled : r.status === 'budget' ? EXIT.budget : EXIT.failed;
  if (o.json) {
    const { answer, status, reason, iterations, subcalls, usage, costUsd, ms } = r;
    stdout(`${JSON.stringify({ runId, answer: answer ?? null, status, reason: reason ?? null, iterations, subcalls, usage, cost: costUsd, saved: r.saved ?? null, ms })}\n`);
  } else if (code === EXIT.ok) {
    stdout(`${r.answer ?? ''}\n`);
  }
  const cost = r.costUsd === null ? 'cost unknown' : `$${r.costUsd.toFixed(4)}`;
  const saved = r.saved ? `, saved ${r.saved.tokens} tokens / ${formatCost(r.saved.costUsd)} (cached replies)` : '';
  if (!o.quiet) stderr(`${r.status}: ${r.iterations} turns, ${r.subcalls} sub-calls, ${cost}${saved}, ${(r.ms / 1000).toFixed(1)} s\n`);
  if (code !== EXIT.ok && !o.json) stderr(`rlm: ${r.status}: ${r.reason ?? 'no answer'}\n`);
  return code;
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

function fail(o: CliOptions, message: string, code: number): number {
  if (o.json) stdout(`${JSON.stringify({ answer: null, status: 'failed', reason: message })}\n`);
  stderr(`rlm: ${message}\n`);
  return code;
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
