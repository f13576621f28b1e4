/** `rlm eval`: the CLI side of the evaluation runner (src/core/eval). */
import { join } from 'node:path';
import { RlmError } from '../core/errors';
import { MODE_LABEL } from '../core/eval/chart';
import { type EvalProgress, runEval } from '../core/eval/runner';
import type { ModeSummary } from '../core/eval/stats';
import { OpenAIChatModel } from '../core/llm/openaiModel';
import { DEFAULT_PRICES, formatCost } from '../core/llm/usage';
import { SandboxPool } from '../core/sandbox/pool';
import { UsageError } from './args';
import { EVAL_USAGE, parseEvalCli, type EvalCliOptions } from './evalArgs';

const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;

export async function evalMain(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseEvalCli(argv, process.env, process.cwd());
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`rlm eval: ${err.message}\n${EVAL_USAGE.split('\n')[0]}\n`);
      return EXIT.usage;
    }
    throw err;
  }
  if (parsed.help) {
    process.stdout.write(`${EVAL_USAGE}\n`);
    return EXIT.ok;
  }
  return evaluate(parsed.options);
}

async function evaluate(o: EvalCliOptions): Promise<number> {
  const log = (line: string) => o.quiet || process.stderr.write(`${line}\n`);
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) process.exit(EXIT.cancelled);
    log('stopping… finished questions are kept; rerun the same command to resume (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const pool = new SandboxPool({ scriptPath: join(__dirname, 'sandbox.js') });
  const model = (id: string) => new OpenAIChatModel({ baseURL: o.baseURL, apiKey: o.apiKey, model: id });
  const rootModel = model(o.model);
  try {
    const outcome = await runEval(
      {
        dataset: o.dataset,
        outDir: o.out,
        rootModel,
        subModel: o.subModel === o.model ? rootModel : model(o.subModel),
        modes: o.direct ? ['rlm', 'direct'] : ['rlm'],
        budgets: {
          maxIterations: o.maxIterations,
          maxDepth: o.maxDepth,
          maxSubcalls: o.maxSubcalls,
          maxTokens: o.maxTokens,
          maxCostUsd: o.maxCostUsd,
          maxWallMs: o.maxWallMs,
          concurrency: o.concurrency,
        },
        sandboxLimits: o.cellTimeoutMs ? { cellTimeoutMs: o.cellTimeoutMs } : undefined,
        prices: { ...DEFAULT_PRICES, ...o.prices },
        scan: { excludes: o.excludes },
        parallel: o.parallel,
        directChars: o.directChars,
        retryFailed: o.retryFailed,
        endpoint: new URL(o.baseURL).host,
        signal: controller.signal,
        onProgress: (p) => {
          const line = progressLine(p);
          if (line) log(line);
        },
      },
      { sandbox: pool, secrets: o.apiKey ? [o.apiKey] : [] },
    );
    for (const s of outcome.summaries) process.stdout.write(`${summaryLine(s)}\n`);
    process.stdout.write(`report: ${outcome.files.report}\n`);
    if (!outcome.complete) {
      log(`stopped: ${outcome.asked} asked now, ${outcome.resumed} from before; rerun with --out ${o.out} to resume`);
      return EXIT.cancelled;
    }
    return EXIT.ok;
  } catch (err) {
    process.stderr.write(`rlm eval: ${err instanceof RlmError ? err.message : `unexpected error: ${(err as Error)?.message ?? err}`}\n`);
    return EXIT.failed;
  } finally {
    process.off('SIGINT', onSigint);
    await pool.dispose();
  }
}

function progressLine(p: EvalProgress): string | undefined {
  switch (p.type) {
    case 'start':
      return `${p.questions} questions, ${p.runs} runs: ${p.resumed} finished earlier, ${p.toAsk} to ask`;
    case 'question.end': {
      const r = p.result;
      const verdict = r.letter ? `${r.letter} ${r.correct ? 'right' : 'wrong'}` : r.malformed ? 'malformed (wrong)' : 'no answer (wrong)';
      const why = r.reason ? ` (${r.reason.split('\n')[0].slice(0, 100)})` : '';
      return `[${p.done}/${p.toAsk}] ${MODE_LABEL[r.mode]} ${r.id}: ${verdict}; ${r.status}${why}, ${r.turns} turns, ${r.subcalls} sub-calls, ${r.costUsd === null ? 'cost unknown' : formatCost(r.costUsd)}, ${(r.ms / 1000).toFixed(1)} s`;
    }
    default:
      return undefined;
  }
}

function summaryLine(s: ModeSummary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const acc = s.accuracy === null ? '—' : pct(s.accuracy);
  const ci = s.ci95 ? ` (95% ${pct(s.ci95.low)}–${pct(s.ci95.high)})` : '';
  const money = (x: number | null) => (x === null ? 'unknown' : formatCost(x));
  return `${(MODE_LABEL[s.mode] ?? s.mode).padEnd(6)} ${s.correct}/${s.questions} correct, ${acc}${ci}; malformed ${s.malformed}, no answer ${s.noAnswer}; ${money(s.costPerQuestion)}/question, ${s.correct ? money(s.costPerCorrect) : '—'}/correct; median ${s.medianTurns ?? '—'} turns`;
}
