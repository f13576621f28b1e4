import type { Node, Tree } from '@vscode/tree-sitter-wasm';
import { DEFINITIONS, type SymbolKind } from './grammars';

/** One definition of a file's outline; lines are 1-based and inclusive. */
export interface CodeSymbol {
  name: string;
  kind: SymbolKind;
  start: number;
  end: number;
  /** Name of the enclosing definition (a class for a method), when there is one. */
  container?: string;
}

/** One identifier occurrence (1-based line). */
export interface Occurrence {
  line: number;
  column: number;
}

// Leaves that are never a use of a name: comments, string and regex contents.
const NOT_CODE = /comment|string|content|fragment|escape|regex|heredoc/;
// Value node types that make a `const f = …` a function definition.
const FUNCTION_VALUES = new Set(['arrow_function', 'function_expression', 'function', 'generator_function']);
const CLASS_LIKE = new Set<SymbolKind>(['class', 'interface', 'struct', 'trait', 'impl', 'enum']);
// Names longer than this are cut (a minified file may hold a huge computed name).
const MAX_NAME_CHARS = 200;

/** The name node of a C/C++ declarator chain (`int *f(int)` -> `f`), or of a field. */
function declaratorName(node: Node | null): Node | null {
  for (let n = node, depth = 0; n && depth < 16; depth++) {
    if (/identifier$|^operator_name$|^destructor_name$/.test(n.type)) return n;
    n = n.childForFieldName('declarator') ?? n.childForFieldName('name') ?? n.namedChild(0);
  }
  return null;
}

function nameOf(node: Node, grammar: string): string | undefined {
  const t = node.type;
  if (t === 'variable_declarator') {
    const value = node.childForFieldName('value');
    if (!value || !FUNCTION_VALUES.has(value.type)) return undefined;
  }
  if ((t === 'public_field_definition' || t === 'field_definition') && !FUNCTION_VALUES.has(node.childForFieldName('value')?.type ?? '')) {
    return undefined;
  }
  let n: Node | null;
  if (grammar === 'cpp' && (t === 'function_definition' || t === 'type_definition')) {
    n = declaratorName(node.childForFieldName('declarator'));
  } else if (t === 'impl_item') {
    n = node.childForFieldName('type');
  } else {
    n = node.childForFieldName('name') ?? node.childForFieldName('property');
  }
  // A struct/enum/class specifier without a body is a use (`struct s x;`), not a definition.
  if (grammar === 'cpp' && /_specifier$/.test(t) && !node.childForFieldName('body')) return undefined;
  if (!n) return undefined;
  const text = n.text;
  return text.length > MAX_NAME_CHARS ? text.slice(0, MAX_NAME_CHARS) + '…' : text;
}

/** Definitions of a parsed file in document order, at most `max`; walks with a cursor (no
 *  recursion, so a deeply nested file cannot overflow the stack). `stop` ends the walk early. */
export function outlineOf(tree: Tree, grammar: string, max: number, stop: () => boolean): { symbols: CodeSymbol[]; cut: boolean } {
  const table = DEFINITIONS[grammar] ?? {};
  const symbols: CodeSymbol[] = [];
  // Open definitions on the path from the root (for containers), with their cursor depth.
  const open: Array<{ depth: number; symbol: CodeSymbol }> = [];
  const cursor = tree.walk();
  let depth = 0;
  let visited = 0;
  try {
    for (;;) {
      if ((++visited & 1023) === 0 && stop()) return { symbols, cut: true };
      while (open.length > 0 && open[open.length - 1].depth >= depth) open.pop();
      const kindOf = Object.hasOwn(table, cursor.nodeType) ? table[cursor.nodeType] : undefined;
      if (kindOf) {
        const node = cursor.currentNode;
        const name = nameOf(node, grammar);
        if (name !== undefined) {
          const parent = open[open.length - 1]?.symbol;
          let kind = kindOf;
          if (kind === 'function' && parent && CLASS_LIKE.has(parent.kind)) kind = 'method';
          const symbol: CodeSymbol = { name, kind, start: node.startPosition.row + 1, end: node.endPosition.row + 1 };
          const container = parent?.name ?? receiverOf(node, grammar);
          if (container) symbol.container = container;
          if (symbols.length >= max) return { symbols, cut: true };
          symbols.push(symbol);
          open.push({ depth, symbol });
        }
      }
      if (cursor.gotoFirstChild()) {
        depth++;
        continue;
      }
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return { symbols, cut: false };
        depth--;
      }
    }
  } finally {
    cursor.delete();
  }
}

/** The receiver type of a Go method (`func (s *Server) Start()` -> `Server`). */
function receiverOf(node: Node, grammar: string): string | undefined {
  if (grammar !== 'go' || node.type !== 'method_declaration') return undefined;
  const m = /^\(\s*(?:\w+\s+)?\*?\s*([\p{L}_][\p{L}\p{N}_]*)/u.exec(node.childForFieldName('receiver')?.text ?? '');
  return m?.[1];
}

/** Places where `name` occurs as code (an identifier-like leaf, not inside a comment or string),
 *  in document order, at most `max`. `stop` ends the walk early. */
export function occurrencesOf(tree: Tree, name: string, max: number, stop: () => boolean): { found: Occurrence[]; cut: boolean } {
  const found: Occurrence[] = [];
  const cursor = tree.walk();
  let visited = 0;
  try {
    for (;;) {
      if ((++visited & 1023) === 0 && stop()) return { found, cut: true };
      // Only descend into nodes long enough to hold the name (cheap pruning on big files).
      const len = cursor.endIndex - cursor.startIndex;
      const leaf = len === name.length || len === Buffer.byteLength(name);
      if (leaf && !NOT_CODE.test(cursor.nodeType) && cursor.nodeText === name) {
        const node = cursor.currentNode;
        if (node.childCount === 0 && !inString(node)) {
          if (found.length >= max) return { found, cut: true };
          found.push({ line: cursor.startPosition.row + 1, column: cursor.startPosition.column + 1 });
        }
      }
      if (len >= name.length && cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) return { found, cut: false };
      }
    }
  } finally {
    cursor.delete();
  }
}

/** Whether a leaf lies inside a string or comment node (grammars that keep quotes' contents as
 *  bare children, e.g. a Go raw string or PHP's encapsed string). */
function inString(node: Node): boolean {
  for (let p = node.parent, i = 0; p && i < 4; p = p.parent, i++) {
    if (/substitution|interpolation/.test(p.type)) return false;
    if (NOT_CODE.test(p.type)) return true;
  }
  return false;
}
