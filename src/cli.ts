import { basename, join, resolve } from 'node:path';
import { statSync } from 'node:fs';
import { parseCli, parseCommand, structureLimits, USAGE, type CliOptions } from './cli/args';
import { evalMain } from './cli/eval';
import { HEARTBEAT_MS, progressLine, SubcallMilestones, SubcallProgress } from './cli/progress';
import { onCtrlC, runInputs } from './cli/runSetup';
import { RlmError } from './core/errors';
import { costCapProblem } from './core/llm/usage';
import { Run } from './core/rlm/run';
import { SandboxPool } from './core/sandbox/pool';
import { terminalSafe } from './core/text/visible';
import { TrajectoryWriter } from './core/trace/trajectory';
import type { RunEndEvent, TraceEvent } from './core/trace/types';
import { NodeFileSource, scanWorkspace } from './core/workspace';

const EXIT = { ok: 0, failed: 1, usage: 2, budget: 3, cancelled: 130 } as const;

// Everything this process writes goes through these two: the answer, progress, JSON and every
// error line carry model or endpoint text, which must not drive the terminal or hide characters.
const stdout = (text: string) => process.stdout.write(terminalSafe(text));
const stderr = (text: string) => process.stderr.write(terminalSafe(text));

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'eval') return evalMain(argv.slice(1));
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
  const inputs = runInputs(o);
  const unpriced = costCapProblem(o.maxCostUsd ?? Infinity, inputs.prices ?? {}, [o.model, o.subModel]);
  if (unpriced) return fail(o, unpriced, EXIT.usage);

  const controller = onCtrlC(log, 'cancelling…', EXIT.cancelled);

  const pool = new SandboxPool({ scriptPath: join(__dirname, 'sandbox.js') });
  const trace = o.trace ? await TrajectoryWriter.open(o.trace) : undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  try {
    const milestones = new SubcallMilestones();
    const subcalls = new SubcallProgress();
    // RLM_PROGRESS_INTERVAL_MS: the heartbeat's period (tests shorten it); default 10 s.
    const every = Number(process.env.RLM_PROGRESS_INTERVAL_MS) > 0 ? Number(process.env.RLM_PROGRESS_INTERVAL_MS) : HEARTBEAT_MS;
    heartbeat = setInterval(() => {
      const line = subcalls.heartbeat();
      if (line) log(line);
    }, every);
    heartbeat.unref();
    const run = new Run(
      {
        question: o.question,
        workspace: async (signal) => {
          log(`scanning ${root}…`);
          const workspace = await scanWorkspace([{ name: basename(root), source: new NodeFileSource(root) }], {
            excludes: o.excludes,
            maskSecrets: o.maskSecrets,
            knownSecrets: o.apiKey ? [o.apiKey] : [],
            structure: structureLimits(o),
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
          const batch = subcalls.note(e);
          const line = progressLine(e) ?? milestones.note(e);
          if (line) log(line);
          if (batch) log(batch);
        },
      },
      { sandbox: pool, secrets: o.apiKey ? [o.apiKey] : [] },
    );
    return report(o, run.id, await run.start());
  } catch (err) {
    return fail(o, err instanceof RlmError ? err.message : `unexpected error: ${(err as Error)?.message ?? err}`, EXIT.failed);
  } finally {
    clearInterval(heartbeat);
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
    const unverifiedRefs = r.unverifiedRefs ?? [];
    stdout(`${JSON.stringify({ runId, answer: answer ?? null, status, reason: reason ?? null, unverifiedRefs, iterations, subcalls, usage, cost: costUsd, ms })}\n`);
  } else if (code === EXIT.ok) {
    stdout(`${r.answer ?? ''}\n`);
    // stdout stays the answer as written; what the run could not match to a workspace file is said apart.
    if (r.unverifiedRefs?.length) stderr(`Unverified references (no such file or line in the workspace):\n${r.unverifiedRefs.map((x) => `  ${x}\n`).join('')}`);
  }
  const cost = r.costUsd === null ? 'cost unknown' : `$${r.costUsd.toFixed(4)}`;
  if (!o.quiet) stderr(`${r.status}: ${r.iterations} turns, ${r.subcalls} sub-calls, ${cost}, ${(r.ms / 1000).toFixed(1)} s\n`);
  if (code !== EXIT.ok && !o.json) stderr(`rlm: ${r.status}: ${r.reason ?? 'no answer'}\n`);
  return code;
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
