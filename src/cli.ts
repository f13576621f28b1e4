import { basename, join, resolve } from 'node:path';
import { statSync } from 'node:fs';
import { parseCli, UsageError, USAGE, type CliOptions } from './cli/args';
import { progressLine, SubcallCounter } from './cli/progress';
import { RlmError } from './core/errors';
import { OpenAIChatModel } from './core/llm/openaiModel';
import { DEFAULT_PRICES } from './core/llm/usage';
import { runRlm } from './core/rlm/run';
import type { RunResult } from './core/rlm/types';
import { SandboxPool } from './core/sandbox/pool';
import type { SandboxLimits } from './core/sandbox/types';
import { TrajectoryWriter } from './core/trace/trajectory';
import type { TraceEvent } from './core/trace/types';
import { NodeFileSource, scanWorkspace } from './core/workspace';

const EXIT = { ok: 0, failed: 1, usage: 2, budget: 3, cancelled: 130 } as const;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseCli(argv, process.env, process.cwd());
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`rlm: ${err.message}\n${USAGE.split('\n')[0]}\n`);
      return EXIT.usage;
    }
    throw err;
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  return ask(parsed.options);
}

async function ask(o: CliOptions): Promise<number> {
  const log = (line: string) => o.quiet || process.stderr.write(`${line}\n`);
  const root = resolve(o.root);
  try {
    if (!statSync(root).isDirectory()) throw new Error();
  } catch {
    return fail(o, `--root is not a directory: ${o.root}`, EXIT.usage);
  }

  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) process.exit(EXIT.cancelled);
    log('cancelling… (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSigint);

  const pool = new SandboxPool({ scriptPath: join(__dirname, 'sandbox.js') });
  const trace = o.trace ? await TrajectoryWriter.open(o.trace) : undefined;
  try {
    log(`scanning ${root}…`);
    const workspace = await scanWorkspace([{ name: basename(root), source: new NodeFileSource(root) }], {
      excludes: o.excludes,
      signal: controller.signal,
    });
    const t = workspace.context.totals;
    log(`${t.files} files, ${t.lines} lines (${t.skipped} skipped); asking ${o.model} at ${new URL(o.baseURL).host}`);
    const model = (id: string) => new OpenAIChatModel({ baseURL: o.baseURL, apiKey: o.apiKey, model: id });
    const counter = new SubcallCounter();
    const result = await runRlm(
      {
        question: o.question,
        workspace,
        rootModel: model(o.model),
        subModel: o.subModel === o.model ? model(o.model) : model(o.subModel),
        budgets: {
          maxIterations: o.maxIterations,
          maxDepth: o.maxDepth,
          maxSubcalls: o.maxSubcalls,
          maxTokens: o.maxTokens,
          maxCostUsd: o.maxCostUsd,
          maxWallMs: o.maxWallMs,
          concurrency: o.concurrency,
        },
        sandboxLimits: sandboxLimits(o),
        prices: { ...DEFAULT_PRICES, ...o.prices },
        signal: controller.signal,
        onEvent: (e: TraceEvent) => {
          trace?.append(e);
          const line = progressLine(e) ?? counter.note(e);
          if (line) log(line);
        },
      },
      { sandbox: pool, secrets: o.apiKey ? [o.apiKey] : [] },
    );
    return report(o, result);
  } catch (err) {
    return fail(o, err instanceof RlmError ? err.message : `unexpected error: ${(err as Error)?.message ?? err}`, EXIT.failed);
  } finally {
    process.off('SIGINT', onSigint);
    await trace?.close();
    await pool.dispose();
  }
}

function sandboxLimits(o: CliOptions): Partial<SandboxLimits> {
  const limits: Partial<SandboxLimits> = {};
  if (o.cellTimeoutMs) limits.cellTimeoutMs = o.cellTimeoutMs;
  if (o.sandboxMemoryMb) limits.treeRssMb = o.sandboxMemoryMb;
  if (o.replyQueueMb) limits.replyQueueMb = o.replyQueueMb;
  return limits;
}

function report(o: CliOptions, r: RunResult): number {
  const code = r.answer !== undefined && (r.status === 'answered' || r.status === 'forced')
    ? EXIT.ok
    : r.status === 'cancelled' ? EXIT.cancelled : r.status === 'budget' ? EXIT.budget : EXIT.failed;
  if (o.json) {
    const { runId, answer, status, reason, iterations, subcalls, usage, costUsd, ms } = r;
    process.stdout.write(`${JSON.stringify({ runId, answer: answer ?? null, status, reason: reason ?? null, iterations, subcalls, usage, cost: costUsd, ms })}\n`);
  } else if (code === EXIT.ok) {
    process.stdout.write(`${terminalSafe(r.answer ?? '')}\n`);
  }
  const cost = r.costUsd === null ? 'cost unknown' : `$${r.costUsd.toFixed(4)}`;
  if (!o.quiet) process.stderr.write(`${r.status}: ${r.iterations} turns, ${r.subcalls} sub-calls, ${cost}, ${(r.ms / 1000).toFixed(1)} s\n`);
  if (code !== EXIT.ok && !o.json) process.stderr.write(`rlm: ${r.status}: ${r.reason ?? 'no answer'}\n`);
  return code;
}

function fail(o: CliOptions, message: string, code: number): number {
  if (o.json) process.stdout.write(`${JSON.stringify({ answer: null, status: 'failed', reason: message })}\n`);
  process.stderr.write(`rlm: ${message}\n`);
  return code;
}

/** Keeps newlines and tabs; escapes other control and bidi characters of model text. */
function terminalSafe(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`rlm: unexpected error: ${(err as Error)?.message ?? err}\n`);
    process.exitCode = EXIT.failed;
  },
);
