/** `rlm eval`: the CLI side of the evaluation runner (src/core/eval). */
import { join } from 'node:path';
import { RlmError } from '../core/errors';
import { MODE_LABEL } from '../core/eval/chart';
import { type EvalProgress, runEval } from '../core/eval/runner';
import type { ModeSummary } from '../core/eval/stats';
import { formatCost } from '../core/llm/usage';
import { SandboxPool } from '../core/sandbox/pool';
import { terminalSafe } from '../core/text/visible';
import { parseCommand } from './args';
import { EVAL_USAGE, parseEvalCli, type EvalCliOptions } from './evalArgs';
import { onCtrlC, runInputs } from './runSetup';

const EXIT = { ok: 0, failed: 1, cancelled: 130 } as const;

export async function evalMain(argv: string[]): Promise<number> {
  const options = parseCommand(() => parseEvalCli(argv, process.env, process.cwd()), EVAL_USAGE, 'rlm eval');
  return typeof options === 'number' ? options : evaluate(options);
}

async function evaluate(o: EvalCliOptions): Promise<number> {
  const log = (line: string) => o.quiet || process.stderr.write(terminalSafe(`${line}\n`));
  const stop = onCtrlC(log, 'stopping… finished questions are kept; rerun the same command to resume', EXIT.cancelled);
  const pool = new SandboxPool({ scriptPath: join(__dirname, 'sandbox.js') });
  try {
    const outcome = await runEval(
      {
        ...runInputs(o),
        dataset: o.dataset,
        outDir: o.out,
        modes: o.direct ? ['rlm', 'direct'] : ['rlm'],
        scan: { excludes: o.excludes },
        parallel: o.parallel,
        directChars: o.directChars,
        retryFailed: o.retryFailed,
        endpoint: new URL(o.baseURL).host,
        signal: stop.signal,
        onProgress: (p) => {
          const line = progressLine(p);
          if (line) log(line);
        },
      },
      { sandbox: pool, secrets: o.apiKey ? [o.apiKey] : [] },
    );
    for (const s of outcome.summaries) process.stdout.write(terminalSafe(`${summaryLine(s)}\n`));
    process.stdout.write(terminalSafe(`report: ${outcome.files.report}\n`));
    if (!outcome.complete) {
      log(`stopped: ${outcome.asked} asked now, ${outcome.resumed} from before; rerun with --out ${o.out} to resume`);
      return EXIT.cancelled;
    }
    return EXIT.ok;
  } catch (err) {
    process.stderr.write(terminalSafe(`rlm eval: ${err instanceof RlmError ? err.message : `unexpected error: ${(err as Error)?.message ?? err}`}\n`));
    return EXIT.failed;
  } finally {
    stop.dispose();
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
