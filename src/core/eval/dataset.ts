/**
 * An evaluation dataset: JSONL, one multiple-choice question over a repository per line.
 *
 *   {"id": "q1", "repo": "../src", "question": "…", "choices": {"A": "…", "B": "…"}, "answer": "B", "tags": ["cli"]}
 *
 * `choices` may also be an array (lettered A, B, C, … in order). `repo` is a directory, absolute or
 * relative to the dataset file. Every line is untrusted input: a bad line is an error naming the
 * line and what to fix, never a silently skipped question.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { RlmError } from '../errors';

export interface EvalItem {
  /** Unique in the dataset; names the question's trace files, so it is file-name safe. */
  id: string;
  /** Absolute directory of the repository the question is about. */
  repo: string;
  /** The repository as the dataset line spelled it (for the report). */
  repoLabel: string;
  question: string;
  /** Choice text by letter, in letter order. */
  choices: Record<string, string>;
  /** The correct letter. */
  answer: string;
  tags: string[];
  /** Hash of what the question asks; a stored result with another fingerprint is asked again. */
  fingerprint: string;
}

/** 26 choices at most: one letter each. */
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const MAX_QUESTIONS = 100_000;

export function letters(item: Pick<EvalItem, 'choices'>): string[] {
  return Object.keys(item.choices);
}

/** Parses dataset text; `datasetFile` anchors relative repository paths. Throws RlmError('dataset-invalid'). */
export function parseDataset(text: string, datasetFile: string): EvalItem[] {
  const items: EvalItem[] = [];
  const seen = new Set<string>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('//')) return;
    const where = `line ${i + 1}`;
    const bad = (what: string) => new RlmError(`${datasetFile}: ${where}: ${what}`, 'dataset-invalid');
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw bad('not valid JSON (each line must be one JSON object)');
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw bad('not a JSON object');
    const o = v as Record<string, unknown>;
    const id = o.id === undefined ? `q${i + 1}` : o.id;
    if (typeof id !== 'string' || !ID.test(id)) throw bad('"id" must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit');
    if (seen.has(id)) throw bad(`"id" ${JSON.stringify(id)} is used twice (ids key the results and the resume)`);
    seen.add(id);
    if (typeof o.repo !== 'string' || !o.repo.trim()) throw bad('"repo" must name the repository directory (absolute, or relative to the dataset file)');
    if (typeof o.question !== 'string' || !o.question.trim()) throw bad('"question" must be a non-empty string');
    const choices = parseChoices(o.choices, bad);
    const answer = typeof o.answer === 'string' ? o.answer.trim().toUpperCase() : '';
    if (!(answer in choices)) throw bad(`"answer" must be one of the choice letters ${Object.keys(choices).join(', ')}`);
    if (o.tags !== undefined && (!Array.isArray(o.tags) || !o.tags.every((t) => typeof t === 'string'))) throw bad('"tags" must be an array of strings');
    const repo = isAbsolute(o.repo) ? o.repo : resolve(dirname(datasetFile), o.repo);
    const question = o.question.trim();
    items.push({
      id,
      repo,
      repoLabel: o.repo,
      question,
      choices,
      answer,
      tags: (o.tags as string[] | undefined) ?? [],
      fingerprint: createHash('sha256').update(JSON.stringify([o.repo, question, choices, answer])).digest('hex').slice(0, 16),
    });
    if (items.length > MAX_QUESTIONS) throw bad(`more than ${MAX_QUESTIONS.toLocaleString('en-US')} questions; split the dataset`);
  });
  if (items.length === 0) throw new RlmError(`${datasetFile}: no questions (one JSON object per line expected)`, 'dataset-invalid');
  return items;
}

function parseChoices(v: unknown, bad: (what: string) => Error): Record<string, string> {
  const texts: [string, unknown][] = Array.isArray(v)
    ? v.map((t, i) => [LETTERS[i] ?? '?', t])
    : v && typeof v === 'object'
      ? Object.entries(v as Record<string, unknown>).map(([k, t]) => [k.trim().toUpperCase(), t])
      : [];
  if (texts.length < 2 || texts.length > LETTERS.length) throw bad(`"choices" must hold 2 to ${LETTERS.length} choices, as an array or as {"A": "…", "B": "…"}`);
  const out: Record<string, string> = {};
  texts.forEach(([letter, text], i) => {
    if (letter !== LETTERS[i]) throw bad(`"choices" letters must run A, B, C, … in order (found "${letter}" in place ${i + 1})`);
    if (typeof text !== 'string' || !text.trim()) throw bad(`choice ${letter} must be a non-empty string`);
    out[letter] = text.trim();
  });
  return out;
}

/** Reads and parses a dataset file, and checks that every repository is a directory. */
export async function loadDataset(file: string): Promise<EvalItem[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new RlmError(`cannot read the dataset ${file}: ${(err as NodeJS.ErrnoException).code ?? 'read failed'}`, 'dataset-invalid');
  }
  const items = parseDataset(text, file);
  const checked = new Map<string, boolean>();
  for (const item of items) {
    if (!checked.has(item.repo)) checked.set(item.repo, await stat(item.repo).then((s) => s.isDirectory(), () => false));
    if (!checked.get(item.repo)) throw new RlmError(`${file}: question "${item.id}": repository ${item.repo} is not a directory`, 'dataset-invalid');
  }
  return items;
}
