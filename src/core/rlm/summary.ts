import type { ContextMap, DirNode } from '../workspace/types';

/** Hard ceiling of the metadata summary in the first user message, whatever the workspace size. */
export const SUMMARY_MAX_BYTES = 8 * 1024;

/** The first user message: the question plus bounded metadata (never file contents). */
export function firstUserMessage(question: string, context: ContextMap, scope?: string): string {
  const head =
    `Answer the following question about the workspace "${context.root}"` +
    (scope ? ` (scoped to the folder "${scope}")` : '') +
    `:\n\n${question}\n\n` +
    'The workspace is in the REPL variable `context` (metadata only). A summary:\n';
  return head + metadataSummary(context) + '\n\nStart by exploring with code; do not answer yet.';
}

export function metadataSummary(context: ContextMap, maxBytes = SUMMARY_MAX_BYTES): string {
  const t = context.totals;
  const lines: string[] = [
    `- ${fmt(t.files)} files, ${fmt(t.lines)} lines, ${bytes(t.bytes)}; ${fmt(t.skipped)} skipped (binary, too large, secret).`,
  ];
  if (context.roots.length > 1) lines.push(`- Roots: ${context.roots.join(', ')}`);
  const langs = Object.entries(context.languages)
    .sort((a, b) => b[1].lines - a[1].lines)
    .slice(0, 12)
    .map(([lang, v]) => `${lang} ${fmt(v.files)} files/${fmt(v.lines)} lines`);
  if (langs.length) lines.push(`- Languages: ${langs.join('; ')}`);
  const dirs = topDirectories(context.tree, 24).map((d) => `${d.path || '.'}/ (${fmt(d.files)} files, ${fmt(d.lines)} lines)`);
  if (dirs.length) lines.push(`- Largest directories: ${dirs.join('; ')}`);
  const top = context.tree.fileNames.slice(0, 30);
  if (top.length) lines.push(`- Files at the top level: ${top.join(', ')}`);
  let out = lines.map((l) => clip(l, 2000)).join('\n');
  // A spread-out sample of paths fills whatever room is left.
  const room = maxBytes - Buffer.byteLength(out) - 64;
  const sample = samplePaths(context, room);
  if (sample.length) out += `\n- Sample of paths (${sample.length} of ${fmt(context.files.length)}):\n  ${sample.join('\n  ')}`;
  return clipBytes(out, maxBytes);
}

function topDirectories(root: DirNode, max: number): DirNode[] {
  const out: DirNode[] = [];
  const walk = (d: DirNode, depth: number) => {
    for (const c of d.dirs) {
      out.push(c);
      if (depth < 2) walk(c, depth + 1);
    }
  };
  walk(root, 0);
  return out.sort((a, b) => b.files - a.files).slice(0, max);
}

function samplePaths(context: ContextMap, roomBytes: number): string[] {
  const files = context.files;
  if (roomBytes <= 0 || files.length === 0) return [];
  const budget = Math.min(120, files.length);
  const step = files.length / budget;
  const picked: string[] = [];
  let used = 0;
  for (let i = 0; i < budget; i++) {
    const p = clip(files[Math.floor(i * step)].path, 200);
    used += Buffer.byteLength(p) + 3;
    if (used > roomBytes) break;
    picked.push(p);
  }
  return picked;
}

const fmt = (n: number) => n.toLocaleString('en-US');
const clip = (s: string, max: number) => (s.length > max ? s.slice(0, max - 1) + '…' : s);

function clipBytes(s: string, max: number): string {
  if (Buffer.byteLength(s) <= max) return s;
  let cut = s.slice(0, max);
  while (Buffer.byteLength(cut) > max - 3) cut = cut.slice(0, -1);
  return cut + '…';
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
