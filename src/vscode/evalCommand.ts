/**
 * "RLM: Run Evaluation": picks a dataset (JSONL of multiple-choice questions over repositories),
 * runs `rlm eval` on it with the configured models and budgets, shows progress, and opens the
 * report. Results go beside the dataset (`NAME-results/`, as the CLI writes them), so running the
 * command again on the same dataset resumes where a cancelled evaluation stopped.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { safeMessage } from '../core/errors';
import type { EvalOutcome } from '../core/eval/runner';
import type { ModeSummary } from '../core/eval/stats';
import type { SandboxProvider } from '../core/sandbox/types';
import { readRunConfig, runPrices } from './config';
import { createModels } from './models';
import { UNTRUSTED_MESSAGE } from './runController';

export interface EvalRequest {
  /** The dataset; asked for when absent. */
  dataset?: vscode.Uri;
  /** Also run the direct baseline; asked for when absent. */
  baseline?: boolean;
  /** Show the report when done (default true). */
  openReport?: boolean;
}

export type EvalCommandOutcome = { refused: string; message: string } | { outcome: EvalOutcome; report: vscode.Uri };

let running: AbortController | undefined;

export function registerEvalCommand(context: vscode.ExtensionContext, sandbox: () => Promise<SandboxProvider>): vscode.Disposable {
  return vscode.commands.registerCommand('rlm.runEvaluation', (arg?: unknown) => runEvaluation(context, sandbox, request(arg)));
}

function request(arg: unknown): EvalRequest {
  if (arg instanceof vscode.Uri) return { dataset: arg };
  if (arg && typeof arg === 'object') {
    const o = arg as Record<string, unknown>;
    return {
      dataset: o.dataset instanceof vscode.Uri ? o.dataset : typeof o.dataset === 'string' ? vscode.Uri.file(o.dataset) : undefined,
      baseline: typeof o.baseline === 'boolean' ? o.baseline : undefined,
      openReport: typeof o.openReport === 'boolean' ? o.openReport : undefined,
    };
  }
  return {};
}

async function runEvaluation(context: vscode.ExtensionContext, sandbox: () => Promise<SandboxProvider>, req: EvalRequest): Promise<EvalCommandOutcome | undefined> {
  const refuse = (refused: string, message: string): EvalCommandOutcome => {
    void vscode.window.showErrorMessage(`RLM: ${message}`);
    return { refused, message };
  };
  // An evaluation runs model-written code over the repositories the dataset names.
  if (!vscode.workspace.isTrusted) return refuse('untrusted', UNTRUSTED_MESSAGE);
  if (running) return refuse('busy', 'An evaluation is already running. Cancel it from its progress notification first.');
  let dataset = req.dataset;
  if (!dataset) {
    const picked = await vscode.window.showOpenDialog({
      title: 'RLM: Run Evaluation — pick a dataset',
      canSelectMany: false,
      filters: { 'JSON Lines': ['jsonl'] },
      openLabel: 'Evaluate',
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    dataset = picked?.[0];
  }
  if (!dataset) return undefined;
  if (dataset.scheme !== 'file') return refuse('not-local', 'the dataset and its repositories must be on this machine\'s disk (a local file).');
  let baseline = req.baseline;
  if (baseline === undefined) {
    const pick = await vscode.window.showQuickPick(
      [
        { label: 'RLM and the direct baseline', detail: 'Also asks the root model once with the repository pasted in, for a side-by-side table.', baseline: true },
        { label: 'RLM only', baseline: false },
      ],
      { title: 'RLM: Run Evaluation' },
    );
    if (!pick) return undefined;
    baseline = pick.baseline;
  }

  const cfg = readRunConfig();
  let models;
  try {
    models = await createModels(cfg, context.secrets, context.languageModelAccessInformation);
  } catch (err) {
    return refuse('setup', safeMessage(err, 'Could not set up the models.'));
  }
  const file = dataset.fsPath;
  const outDir = path.join(path.dirname(file), `${path.basename(file, path.extname(file))}-results`);
  const abort = new AbortController();
  running = abort;
  try {
    const { runEval } = await import('../core/eval/runner');
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `RLM eval: ${path.basename(file)}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => abort.abort());
        let toAsk = 1;
        return runEval(
          {
            dataset: file,
            outDir,
            rootModel: models.root,
            subModel: models.sub,
            modes: baseline ? ['rlm', 'direct'] : ['rlm'],
            budgets: cfg.budgets,
            sandboxLimits: cfg.sandboxLimits,
            prices: runPrices(cfg, models.source),
            scan: { excludes: cfg.excludes, allowSecrets: cfg.allowSecrets },
            endpoint: models.source === 'vscode-lm' ? 'VS Code language models' : hostOf(cfg.baseUrl),
            signal: abort.signal,
            onProgress: (p) => {
              if (p.type === 'start') {
                toAsk = Math.max(1, p.toAsk);
                progress.report({ message: `${p.toAsk} to ask (${p.resumed} finished earlier)` });
              } else if (p.type === 'question.end') {
                const r = p.result;
                const verdict = r.letter ? `${r.letter} ${r.correct ? '✓' : '✗'}` : r.malformed ? 'malformed' : r.status;
                progress.report({ increment: 100 / toAsk, message: `${p.done}/${p.toAsk} · ${r.mode} ${r.id}: ${verdict}` });
              }
            },
          },
          { sandbox: await sandbox(), secrets: models.secrets },
        );
      },
    );
    const report = vscode.Uri.file(outcome.files.report);
    const text = outcome.summaries.map(line).join('; ');
    if (req.openReport !== false) await vscode.commands.executeCommand('markdown.showPreview', report);
    if (outcome.complete) void vscode.window.showInformationMessage(`RLM eval: ${text}`);
    else void vscode.window.showWarningMessage(`RLM eval stopped: ${text}. Run it again on the same dataset to resume.`);
    return { outcome, report };
  } catch (err) {
    return refuse('failed', safeMessage(err, 'The evaluation failed.'));
  } finally {
    running = undefined;
  }
}

function line(s: ModeSummary): string {
  const acc = s.accuracy === null ? '—' : `${(s.accuracy * 100).toFixed(1)}%`;
  return `${s.mode === 'rlm' ? 'RLM' : s.mode} ${s.correct}/${s.questions} (${acc})`;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}
