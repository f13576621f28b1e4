import { parseArgs } from 'node:util';
import { dirname, basename, extname, join, resolve } from 'node:path';
import { int, RUN_OPTIONS, runSettings, UsageError, type RunSettings } from './args';

export const EVAL_USAGE = `Usage: rlm eval --dataset FILE.jsonl [--out DIR] [--baseline direct] [options]

Asks every multiple-choice question of a dataset (one JSON object per line: id, repo, question,
choices, answer, tags) with the Recursive Language Model, and with --baseline direct also the same
model once with the repository pasted in; writes results.jsonl, summary.json, report.md, chart.svg
and one trace per question into DIR. Ctrl-C stops; rerunning with the same --out resumes.

Options:
  --dataset FILE          the questions (JSONL); repository paths may be relative to it
  --out DIR               output folder (default: FILE without .jsonl, plus "-results")
  --baseline direct       also ask the root model directly, with the files pasted into one prompt
  --direct-chars N        context size of the direct baseline in characters (default 800000)
  --parallel N            questions at once (default 4)
  --retry-failed          ask again the questions whose stored result is "failed"
  --concurrency N         model calls in flight over the whole eval (default 8)
  (and every option of rlm ask but --root, --trace and --json: --base-url, --model, --sub-model,
  --api-key, --max-iterations, --max-depth, --max-subcalls, --max-tokens, --max-cost, --max-time,
  --cell-timeout, --exclude, --price, -q)

Exit status: 0 every question finished; 1 failed; 2 bad usage; 130 stopped (Ctrl-C), resumable.`;

export interface EvalCliOptions extends RunSettings {
  dataset: string;
  out: string;
  direct: boolean;
  directChars?: number;
  parallel?: number;
  retryFailed: boolean;
}

export function parseEvalCli(argv: string[], env: NodeJS.ProcessEnv, cwd: string): { help: true } | { help: false; options: EvalCliOptions } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        ...RUN_OPTIONS,
        dataset: { type: 'string' },
        out: { type: 'string' },
        baseline: { type: 'string' },
        'direct-chars': { type: 'string' },
        parallel: { type: 'string' },
        'retry-failed': { type: 'boolean' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) return { help: true };
  if (!v.dataset) throw new UsageError('missing --dataset FILE.jsonl');
  if (v.baseline !== undefined && v.baseline !== 'direct') throw new UsageError(`--baseline must be "direct", got "${v.baseline}"`);
  const dataset = resolve(cwd, v.dataset);
  const out = v.out ? resolve(cwd, v.out) : join(dirname(dataset), `${basename(dataset, extname(dataset))}-results`);
  return {
    help: false,
    options: {
      ...runSettings(v, env),
      dataset,
      out,
      direct: v.baseline === 'direct',
      directChars: int(v['direct-chars'], '--direct-chars', 1000, 100_000_000),
      parallel: int(v.parallel, '--parallel', 1, 64),
      retryFailed: v['retry-failed'] ?? false,
    },
  };
}
