// Runs in its own process (forked by grepJs.ts): an untrusted JS regex may backtrack forever
// here, and the host simply kills this process when its timer fires.
import type { GrepHit } from './types';
import { cutLine, type WorkerFile, type WorkerReply, type WorkerRequest } from './grepTypes';
import { NodeFileSource } from './nodeFileSource';

let re: RegExp | undefined;
let contextLines = 0;
let maxHits = 0;
let found = 0;
let maxFileBytes = 0;
const sources = new Map<string, NodeFileSource>();

/** Text of one file, read here when the host sent where it lies; undefined when it changed since
 *  the scan (no longer the mapped regular file, too large, binary), as the host would skip it. */
function textOf(f: WorkerFile): string | undefined {
  if (f.text !== undefined) return f.text;
  let bytes = f.bytes;
  if (!bytes && f.local) {
    let src = sources.get(f.local.root);
    if (!src) sources.set(f.local.root, (src = new NodeFileSource(f.local.root)));
    try {
      bytes = src.readMappedFileSync(f.local.rel, maxFileBytes + 1);
    } catch {
      return undefined;
    }
    if (bytes.length > maxFileBytes || bytes.subarray(0, 8192).indexOf(0) !== -1) return undefined;
  }
  return bytes ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8') : undefined;
}

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
      maxFileBytes = msg.maxFileBytes;
      found = 0;
      send({ type: 'hits', hits: [] });
    } else if (msg.type === 'batch') {
      const hits: GrepHit[] = [];
      for (const f of msg.files) {
        if (found >= maxHits) break;
        const text = textOf(f);
        if (text !== undefined) searchFile(f.path, text, hits);
      }
      send({ type: 'hits', hits });
    }
  } catch (err) {
    send({ type: 'error', message: err instanceof Error ? err.message : 'grep worker error' });
  }
});
process.on('disconnect', () => process.exit(0));
