import { join, resolve } from 'node:path';
import { statSync } from 'node:fs';
import { parseCli, parseCommand, USAGE, UsageError, type CliOptions } from './cli/args';
import { chat } from './cli/chat';
import { evalMain } from './cli/eval';
import { resolveEndpoint } from './cli/localEndpoint';
import { eventSink, onCtrlC, runInputs, scanStep } from './cli/runSetup';
import { EXIT, fail, report, stderr } from './cli/terminal';
import { RlmError } from './core/errors';
import { costCapProblem } from './core/llm/usage';
import { Run } from './core/rlm/run';
import { SandboxPool } from './core/sandbox/pool';
import { TrajectoryWriter } from './core/trace/trajectory';

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'eval') return evalMain(argv.slice(1));
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
  // Models, budgets and prices are built once; the cost cap is checked against those same prices.
  const inputs = runInputs(o);
  const unpriced = costCapProblem(o.maxCostUsd ?? Infinity, inputs.prices ?? {}, [o.model, o.subModel]);
  if (unpriced) return fail(o, unpriced, EXIT.usage);
  return o.command === 'chat' ? chat(o, root, log, inputs) : ask(o, root, log, inputs);
}

async function ask(o: CliOptions, root: string, log: (line: string) => void, inputs: ReturnType<typeof runInputs>): Promise<number> {
  const controller = onCtrlC(log, 'cancelling…', EXIT.cancelled);
  const pool = new SandboxPool({ scriptPath: join(__dirname, 'sandbox.js') });
  const trace = o.trace ? await TrajectoryWriter.open(o.trace) : undefined;
  try {
    const run = new Run(
      { question: o.question, workspace: scanStep(o, root, log), ...inputs, signal: controller.signal, onEvent: eventSink(trace, log) },
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    stderr(`rlm: unexpected error: ${(err as Error)?.message ?? err}\n`);
    process.exitCode = EXIT.failed;
  },
);
