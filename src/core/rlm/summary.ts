import type { ContextMap } from '../workspace/types';
import { foldersOf, isChainLink, roleOf, type Folder, type Role } from './folderRoles';

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

const LISTED_FOLDERS = 12;
const TOP_FILES_BYTES = 1_200;
// Files that say what a project is and how it builds: listed first among the top-level files.
const KEY_FILE = /^(readme|makefile|cmakelists\.txt|package\.json|cargo\.toml|pyproject\.toml|setup\.py|setup\.cfg|go\.mod|pom\.xml|build\.gradle(\.kts)?|meson\.build|configure(\.ac)?|gemfile|composer\.json|tsconfig\.json)(\..*)?$/i;

export function metadataSummary(context: ContextMap, maxBytes = SUMMARY_MAX_BYTES): string {
  const t = context.totals;
  const lines: string[] = [
    `- ${fmt(t.files)} files, ${fmt(t.lines)} lines, ${bytes(t.bytes)}; ${fmt(t.skipped)} skipped (binary, too large, secret).`,
  ];
  if (context.roots.length > 1) lines.push(`- Roots: ${context.roots.join(', ')} (every path starts with its root's name)`);
  const allLangs = Object.entries(context.languages).sort((a, b) => b[1].lines - a[1].lines);
  const langs = allLangs.slice(0, 12).map(([lang, v]) => `${lang} ${fmt(v.files)} files/${fmt(v.lines)} lines`);
  if (langs.length) lines.push(`- Languages${cut(langs.length, allLangs.length)}: ${langs.join('; ')}`);

  const folders = foldersOf(context.files);
  const root = folders.get('')!;
  const shown = [...folders.values()].filter((f) => f.path !== '' && !isChainLink(f));
  const code = shown.filter((f) => f.sourceLines > 0).sort((a, b) => b.sourceLines - a.sourceLines);
  const codeItems = code.slice(0, LISTED_FOLDERS).map((f) => `${f.path}/ (${fmt(f.files)} files, ${fmt(f.sourceLines)} lines of code)`);
  if (root.ownSourceLines > 0 && root.ownSourceLines >= (code[0]?.sourceLines ?? 0) / 4) {
    const n = root.own.filter((f) => roleOf(f) === 'source').length;
    codeItems.unshift(`the top level (${fmt(n)} code files, ${fmt(root.ownSourceLines)} lines of code)`);
  }
  if (codeItems.length) lines.push(`- Source folders, most code first${cut(Math.min(code.length, LISTED_FOLDERS), code.length)}: ${codeItems.join('; ')}`);
  const roleNames: [Role, string][] = [['tests', 'Tests'], ['docs', 'Docs'], ['vendored', 'Vendored or generated'], ['other', 'Other']];
  for (const [role, label] of roleNames) {
    // The outermost folders of that role (not each of their subfolders), whole chains shown once.
    const outer = shown
      .filter((f) => isMostly(f, role) && !hasAncestorOfRole(f, role, folders))
      .sort((a, b) => b.files - a.files);
    if (!outer.length) continue;
    const items = outer.slice(0, 6).map((f) => `${f.path}/ (${fmt(f.files)} files)`);
    lines.push(`- ${label}${cut(items.length, outer.length)}: ${items.join('; ')}`);
  }
  if (root.own.length) lines.push(`- Files at the top level${topFiles(root)}`);
  let out = lines.map((l) => clip(l, 2000)).join('\n');
  const listing = filesByFolder(folders, maxBytes - Buffer.byteLength(out) - 80);
  if (listing.text) out += `\n- Files by folder, source folders first (${listing.folders} of ${fmt(listing.of)} folders with files):\n${listing.text}`;
  return clipBytes(out, maxBytes);
}

/** Nine in ten of the folder's files have that role and none is source code. */
const isMostly = (f: Folder, role: Role) => f.byRole[role] > 0 && f.byRole[role] >= 0.9 * f.files && f.byRole.source === 0;

function hasAncestorOfRole(f: Folder, role: Role, folders: Map<string, Folder>): boolean {
  for (let p = f.path.lastIndexOf('/'); p > 0; p = f.path.lastIndexOf('/', p - 1)) {
    const up = folders.get(f.path.slice(0, p));
    if (up && isMostly(up, role) && !isChainLink(up)) return true;
  }
  return false;
}

/** Top-level names (key build/readme files first), cut to a byte budget with "N of M". */
function topFiles(root: Folder): string {
  const names = root.own.map((f) => f.path.split('/').pop()!);
  const ordered = [...names.filter((n) => KEY_FILE.test(n)), ...names.filter((n) => !KEY_FILE.test(n))];
  const picked: string[] = [];
  let used = 0;
  for (const n of ordered) {
    used += n.length + 2;
    if (used > TOP_FILES_BYTES) break;
    picked.push(n);
  }
  if (picked.length === names.length) return ` (${names.length}): ${picked.join(', ')}`;
  const exts = new Map<string, number>();
  for (const n of names) {
    const dot = n.lastIndexOf('.');
    const ext = dot > 0 ? n.slice(dot) : '(no extension)';
    exts.set(ext, (exts.get(ext) ?? 0) + 1);
  }
  const mix = [...exts].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([e, c]) => `${fmt(c)} ${e}`).join(', ');
  return ` (${picked.length} of ${fmt(names.length)}; by extension: ${mix}): ${picked.join(', ')}, …`;
}

const OTHER_ROWS = 8;
const ROLE_ORDER: Record<Role, number> = { source: 0, other: 1, tests: 2, docs: 3, vendored: 4 };

/** Folder-by-folder file names: source folders by lines of code first (the main one whole when it
 *  fits), then the rest by role and size, each cut with "N of M" when room runs out. */
function filesByFolder(folders: Map<string, Folder>, roomBytes: number): { text: string; folders: number; of: number } {
  const withFiles = [...folders.values()].filter((f) => f.path !== '' && f.own.length > 0);
  withFiles.sort(
    (a, b) =>
      Number(b.ownSourceLines > 0) - Number(a.ownSourceLines > 0) ||
      b.ownSourceLines - a.ownSourceLines ||
      b.own.length - a.own.length ||
      ROLE_ORDER[a.role] - ROLE_ORDER[b.role],
  );
  const rows: string[] = [];
  let left = roomBytes;
  let others = 0;
  for (const f of withFiles) {
    // Past the source folders, a few of the largest others; not thousands of one-file test folders.
    if (f.ownSourceLines === 0 && ++others > OTHER_ROWS) break;
    const head = `  ${clip(f.path, 200)}/`;
    // No folder but the first may take more than a third of what is left, so several are shown.
    const budget = rows.length === 0 ? left : Math.min(left, Math.max(200, Math.floor(left / 3)));
    if (budget < head.length + 40) break;
    const names = f.own.map((x) => x.path.slice(f.path.length + 1));
    const picked: string[] = [];
    let used = head.length + 16;
    for (const n of names) {
      used += Buffer.byteLength(n) + 2;
      if (used > budget) break;
      picked.push(n);
    }
    if (!picked.length) break;
    const row = `${head} (${picked.length === names.length ? fmt(names.length) : `${picked.length} of ${fmt(names.length)}`}): ${picked.join(', ')}${picked.length < names.length ? ', …' : ''}`;
    rows.push(row);
    left -= Buffer.byteLength(row) + 1;
  }
  return { text: rows.join('\n'), folders: rows.length, of: withFiles.length };
}

const cut = (shown: number, total: number) => (shown < total ? ` (${fmt(shown)} of ${fmt(total)})` : '');
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
