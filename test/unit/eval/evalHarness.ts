import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDataset, type EvalItem } from '../../../src/core/eval/dataset';
import { runEval, type EvalOptions, type EvalOutcome } from '../../../src/core/eval/runner';
import { OpenAIChatModel } from '../../../src/core/llm/openaiModel';
import { SandboxPool } from '../../../src/core/sandbox/pool';
import type { FakeRequestInfo, FakeServer } from '../../fakeServer/server';
import { API_KEY, js, SANDBOX_SCRIPT } from '../rlm/harness';

/** The dataset the project ships: questions over its own source and its test fixture. */
export const SHIPPED = join(__dirname, '..', '..', '..', 'eval', 'self.jsonl');
export const shippedItems = (): EvalItem[] => parseDataset(readFileSync(SHIPPED, 'utf8'), SHIPPED);

/** The first `n` shipped questions as a dataset of their own (repositories absolute), for tests that need fewer runs. */
export function firstQuestions(dir: string, n: number): string {
  const file = join(dir, `first-${n}.jsonl`);
  const lines = shippedItems().slice(0, n).map((i) => JSON.stringify({ id: i.id, repo: i.repo, question: i.question, choices: i.choices, answer: i.answer, tags: i.tags }));
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** Which dataset question a chat request is about (each question's text is unique). */
export function questionOf(items: EvalItem[], req: { messages: { content: string }[] }): EvalItem | undefined {
  const text = req.messages.map((m) => m.content).join('\n');
  return items.find((i) => text.includes(i.question));
}

/** Direct-baseline requests are one user message with the files pasted in; RLM requests have a system prompt. */
export const isDirect = (req: { messages: { role: string }[] }) => req.messages.length === 1;

/** A fake-server rule: each question answered by `rlm(item)` (inside FINAL) or `direct(item)` (plain text). */
export function answering(items: EvalItem[], rlm: (i: EvalItem) => string, direct: (i: EvalItem) => string = (i) => i.answer) {
  return (req: FakeRequestInfo): string => {
    const item = questionOf(items, req);
    if (!item) return 'no question found';
    return isDirect(req) ? direct(item) : js(`FINAL(${JSON.stringify(rlm(item))})`);
  };
}

export function outDir(): string {
  return mkdtempSync(join(tmpdir(), 'rlm-eval-'));
}

/** Runs the eval against the fake server with real models, a real sandbox pool and real files. */
export async function evalAgainst(server: FakeServer, o: Partial<EvalOptions> & Pick<EvalOptions, 'outDir'>, model = 'root-model'): Promise<EvalOutcome> {
  const pool = new SandboxPool({ scriptPath: SANDBOX_SCRIPT });
  const m = (id: string) => new OpenAIChatModel({ baseURL: server.url, apiKey: API_KEY, model: id, retryBaseMs: 5, timeoutMs: 20_000 });
  try {
    return await runEval(
      { dataset: SHIPPED, rootModel: m(model), subModel: m('sub-model'), prices: { [model]: { input: 1, output: 2 }, 'sub-model': { input: 1, output: 2 } }, ...o },
      { sandbox: pool, secrets: [API_KEY] },
    );
  } finally {
    await pool.dispose();
  }
}
