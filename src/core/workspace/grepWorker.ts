// Runs in its own process (forked by grepJs.ts): an untrusted JS regex may backtrack forever
// here, and the host simply kills this process when its timer fires.
import type { GrepHit } from './types';
import { cutContext, cutLine, hitBytes, type WorkerFile, type WorkerReply, type WorkerRequest } from './grepTypes';
import { NodeFileSource } from './nodeFileSource';
import type { SecretMasker } from './secretMask';
import { isServiceAccountKey } from './secrets';

let re: RegExp | undefined;
let contextLines = 0;
let maxHits = 0;
let maxBytes = 0;
let found = 0;
let foundBytes = 0;
let maxFileBytes = 0;
// Created on first need (a file with a hit that the host did not mask): loading the rule set
// costs tens of ms, and most greps of a fresh worker never need it.
let masking: { knownSecrets: readonly string[]; masker?: SecretMasker } | undefined;

function masker(): SecretMasker {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  masking!.masker ??= new (require('./secretMask') as typeof import('./secretMask')).SecretMasker(masking!.knownSecrets);
  return masking!.masker;
}
const sources = new Map<string, NodeFileSource>();

/** Text of one file, read here when the host sent where it lies; undefined when it changed since
 *  the scan (no longer the mapped regular file, a hard link, too large, binary) or is a
 *  service-account key, as the host would refuse it. `masked`: the host masked it already. */
function textOf(f: WorkerFile): { text: string; masked: boolean } | undefined {
  if (f.text !== undefined) return { text: f.text, masked: true };
  let bytes = f.bytes;
  if (!bytes && f.local) {
    let src = sources.get(f.local.root);
    if (!src) sources.set(f.local.root, (src = new NodeFileSource(f.local.root)));
    try {
      bytes = src.readMappedFileSync(f.local.rel, maxFileBytes + 1, { singleLink: f.local.singleLink });
    } catch {
      return undefined;
    }
    if (bytes.length > maxFileBytes || bytes.subarray(0, 8192).indexOf(0) !== -1) return undefined;
  }
  if (!bytes) return undefined;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  // singleLink false: the user opted this path in (as readFile honours for a service-account key).
  const allowed = f.local?.singleLink === false;
  return !allowed && isServiceAccountKey(text) ? undefined : { text, masked: masking === undefined };
}

function send(reply: WorkerReply): void {
  process.send?.(reply);
}

/** Searches one file. Unmasked text is searched as read and masked only when it has a hit (most
 *  files have none); the search then runs again on the masked text, so a match on a secret is
 *  never reported, as on text the host masked. */
function searchFile(path: string, file: { text: string; masked: boolean }, hits: GrepHit[], quota = Infinity, quotaBytes = Infinity): number {
  let lines = file.text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const lineAt = (i: number) => (lines[i].endsWith('\r') ? lines[i].slice(0, -1) : lines[i]);
  if (!file.masked) {
    if (!lines.some((l, i) => re!.test(lineAt(i)))) return 0;
    const masked = masker().mask(file.text, path);
    if (masked !== file.text) {
      lines = masked.split('\n');
      if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    }
  }
  // Every matching line is counted (the reply's total); hits are kept only within the caps.
  let count = 0;
  let fileBytes = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lineAt(i);
    if (!re!.test(line)) continue;
    count++;
    if (found >= maxHits || foundBytes > maxBytes || count > quota || fileBytes > quotaBytes) continue;
    found++;
    const before: string[] = [];
    for (let j = Math.max(0, i - contextLines); j < i; j++) before.push(cutContext(lineAt(j)));
    const after: string[] = [];
    for (let j = i + 1; j <= Math.min(lines.length - 1, i + contextLines); j++) after.push(cutContext(lineAt(j)));
    const hit = { path, line: i + 1, text: cutLine(line), before, after };
    const bytes = hitBytes(hit);
    foundBytes += bytes;
    fileBytes += bytes;
    hits.push(hit);
  }
  return count;
}

process.on('message', (msg: WorkerRequest) => {
  try {
    if (msg.type === 'init') {
      re = new RegExp(msg.pattern, msg.flags);
      contextLines = msg.contextLines;
      maxHits = msg.maxHits;
      maxBytes = msg.maxBytes;
      maxFileBytes = msg.maxFileBytes;
      masking = msg.mask ? { knownSecrets: msg.knownSecrets } : undefined;
      found = 0;
      foundBytes = 0;
      send({ type: 'hits', hits: [], counts: [] });
    } else if (msg.type === 'batch') {
      const hits: GrepHit[] = [];
      const counts: Array<[string, number]> = [];
      for (const f of msg.files) {
        const file = textOf(f);
        const n = file === undefined ? 0 : searchFile(f.path, file, hits, f.quota, f.quotaBytes);
        if (n > 0) counts.push([f.path, n]);
      }
      send({ type: 'hits', hits, counts });
    }
  } catch (err) {
    send({ type: 'error', message: err instanceof Error ? err.message : 'grep worker error' });
  }
});
process.on('disconnect', () => process.exit(0));
