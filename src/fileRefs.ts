/** Finds file references (`path`, `path:line`, `path:start-end`) in plain text. Pure: the panel links
 *  them, the Markdown export marks them, both with the same rules. */
import type { FileRef } from './panelProtocol';

const CODE_EXT =
  'ts|tsx|js|jsx|mjs|cjs|json|jsonc|md|py|rs|go|java|kt|kts|c|h|cc|cpp|hpp|cs|rb|php|swift|scala|yml|yaml|toml|css|scss|less|html|vue|svelte|sh|bash|ps1|txt|xml|sql|ini|cfg|conf|gradle|lock|proto|graphql|dart|lua|r|m|mm|ex|exs|erl|hs|ml|fs|zig|nim|tf|env';
// A path: optional folders, a file name with an extension; optional :line or :start-end.
const REF = new RegExp(
  String.raw`(?<![\w/.:@-])((?:[\w@.-]+/)*[\w@-][\w@.-]*\.([A-Za-z][A-Za-z0-9]{0,9}))(?::(\d{1,7})(?:-(\d{1,7}))?)?(?![\w/])`,
  'g',
);
const KNOWN_EXT = new Set(CODE_EXT.split('|'));

export interface RefMatch {
  index: number;
  text: string;
  ref: FileRef;
}

export function findRefs(text: string): RefMatch[] {
  const out: RefMatch[] = [];
  for (const m of text.matchAll(REF)) {
    const [whole, path, ext, line, endLine] = m;
    // Bare words like "Node.js" are only candidates with a folder, a line, or a code extension.
    if (!path.includes('/') && line === undefined && !KNOWN_EXT.has(ext.toLowerCase())) continue;
    if (path.includes('..') || path.length > 512) continue;
    const ref: FileRef = { path };
    if (line !== undefined) ref.line = Number(line);
    if (endLine !== undefined) ref.endLine = Number(endLine);
    out.push({ index: m.index!, text: whole, ref });
  }
  return out;
}

export function refKey(ref: FileRef): string {
  return `${ref.path}:${ref.line ?? ''}-${ref.endLine ?? ''}`;
}
