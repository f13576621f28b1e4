// Runs in its own process (forked by grepJs.ts): an untrusted JS regex may backtrack forever
// here, and the host simply kills this process when its timer fires.
import type { GrepHit } from './types';
import { cutLine, type WorkerReply, type WorkerRequest } from './grepTypes';

let re: RegExp | undefined;
let contextLines = 0;
let maxHits = 0;
let found = 0;

function send(reply: WorkerReply): void {
  process.send?.(reply);
}

function searchFile(path: string, text: string, hits: GrepHit[]): void {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const clean = (i: number) => cutLine(lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i]);
  for (let i = 0; i < lines.length && found < maxHits; i++) {
    const line = lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i];
    if (!re!.test(line)) continue;
    found++;
    const before: string[] = [];
    for (let j = Math.max(0, i - contextLines); j < i; j++) before.push(clean(j));
    const after: string[] = [];
    for (let j = i + 1; j <= Math.min(lines.length - 1, i + contextLines); j++) after.push(clean(j));
    hits.push({ path, line: i + 1, text: cutLine(line), before, after });
  }
}

process.on('message', (msg: WorkerRequest) => {
  try {
    if (msg.type === 'init') {
      re = new RegExp(msg.pattern, msg.flags);
      contextLines = msg.contextLines;
      maxHits = msg.maxHits;
      found = 0;
      send({ type: 'hits', hits: [] });
    } else if (msg.type === 'batch') {
      const hits: GrepHit[] = [];
      for (const f of msg.files) {
        if (found >= maxHits) break;
        searchFile(f.path, f.text, hits);
      }
      send({ type: 'hits', hits });
    }
  } catch (err) {
    send({ type: 'error', message: err instanceof Error ? err.message : 'grep worker error' });
  }
});
process.on('disconnect', () => process.exit(0));
