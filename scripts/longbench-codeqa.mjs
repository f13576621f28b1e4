#!/usr/bin/env node
// Turns LongBench-v2's data.json into an `rlm eval` dataset: the "Code Repository Understanding"
// questions (CodeQA, the paper's task), each repository context written to disk as a folder.
//
//   node scripts/longbench-codeqa.mjs data.json codeqa/     ->  codeqa/codeqa.jsonl, codeqa/repos/<id>/part-001.txt …
//
// A context is one long text; it is cut at line ends into parts of at most 240 Ki characters (under
// 1 MiB even as 4-byte UTF-8), because the workspace scan leaves out files over 1 MiB. The parts keep
// the text in order and whole.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [input, out] = process.argv.slice(2);
if (!input || !out) {
  console.error('usage: node scripts/longbench-codeqa.mjs LongBench-v2/data.json OUT_DIR');
  process.exit(2);
}
const PART_CHARS = 240 * 1024;
const data = JSON.parse(readFileSync(input, 'utf8'));
const lines = [];
for (const d of data) {
  if (d.domain !== 'Code Repository Understanding') continue;
  const id = String(d._id).replace(/[^A-Za-z0-9._-]/g, '_');
  const dir = join(out, 'repos', id);
  mkdirSync(dir, { recursive: true });
  const text = String(d.context);
  let part = 0;
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + PART_CHARS);
    const nl = text.lastIndexOf('\n', end);
    if (end < text.length && nl > start) end = nl + 1;
    writeFileSync(join(dir, `part-${String(++part).padStart(3, '0')}.txt`), text.slice(start, end));
    start = end;
  }
  lines.push(JSON.stringify({
    id,
    repo: `repos/${id}`,
    question: d.question,
    choices: { A: d.choice_A, B: d.choice_B, C: d.choice_C, D: d.choice_D },
    answer: d.answer,
    tags: [d.difficulty, d.length].filter(Boolean),
  }));
}
writeFileSync(join(out, 'codeqa.jsonl'), `${lines.join('\n')}\n`);
console.log(`${lines.length} questions -> ${join(out, 'codeqa.jsonl')}`);
