import { parse, type Comment, type Node, type Pattern, type Program } from 'acorn';
import { base as walkBase, recursive, type RecursiveVisitors } from 'acorn-walk';
import { analyze } from 'eslint-scope';

/** Rewrites one REPL cell so that it runs as the body of an async function while its top-level
 *  declarations live on the compartment's global object (and so persist to later cells):
 *    let/const/var a = 1, {b} = o;   ->  ;(a = 1, {b} = o);       names defined on globalThis first
 *    class C {}                       ->  ;C = class C {};
 *    function f() {}                  ->  kept (hoisted), exported at the start: $rlm$.fn("f", f);
 *    last expression statement e;     ->  return (e);
 *  Every edit stays on its line, so error line numbers match the cell. */

export const CELL_HELPER = '$rlm$';

export interface TransformedCell {
  code: string;
  /** Names of top-level let/const/var/class/function declarations. */
  declared: string[];
  consts: string[];
  functions: string[];
  /** True when the cell ends with an expression whose value is shown. */
  hasValue: boolean;
}

export class CellSyntaxError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

interface Edit {
  at: number;
  end: number;
  text: string;
}

type AnyNode = Node & Record<string, unknown>;

function patternNames(p: Pattern, out: string[]): void {
  switch (p.type) {
    case 'Identifier':
      out.push(p.name);
      break;
    case 'ObjectPattern':
      for (const prop of p.properties) patternNames(prop.type === 'RestElement' ? prop.argument : prop.value, out);
      break;
    case 'ArrayPattern':
      for (const el of p.elements) if (el) patternNames(el, out);
      break;
    case 'RestElement':
      patternNames(p.argument, out);
      break;
    case 'AssignmentPattern':
      patternNames(p.left, out);
      break;
    default:
      break;
  }
}

// acorn-walk's visitors, typed as they are called: its published types leave out the third
// argument of the callback (the node's pseudo-type, e.g. "Expression"), which its base passes.
type Continue = (node: Node, parent: AnyNode | undefined, type?: string) => void;
type Visitor = (node: AnyNode, parent: AnyNode | undefined, c: Continue) => void;

// acorn-walk's base skips non-computed keys (`{ "import(": 1 }`, `a.b`); ours visits them too, so
// string keys get their lookalikes escaped (and key identifiers are seen, never as reads).
const visitKeyAndValue: Visitor = (n, parent, c) => {
  c(n.key as Node, parent, 'Expression');
  if (n.value) c(n.value as Node, parent, 'Expression');
};
const BASE: Record<string, Visitor> = {
  ...(walkBase as unknown as Record<string, Visitor>),
  MethodDefinition: visitKeyAndValue,
  PropertyDefinition: visitKeyAndValue,
  Property: visitKeyAndValue,
  MemberExpression: (n, parent, c) => {
    c(n.object as Node, parent, 'Expression');
    c(n.property as Node, parent, 'Expression');
  },
};

/** The property of `parent` that holds `node` (directly or in an array). */
function keyOf(parent: AnyNode | undefined, node: AnyNode): string {
  if (!parent) return '';
  for (const k of Object.keys(parent)) {
    const v = parent[k];
    if (v === node || (Array.isArray(v) && v.includes(node))) return k;
  }
  return '';
}

/** Visits every node once, parents first, with its parent and the parent's key; `visit` returning
 *  false skips the node's children. acorn-walk's `recursive` does the walking: each real node type
 *  is wrapped, its pseudo-types ("Expression", "Pattern", "Function", ...) pass the parent through. */
function walk(program: Node, visit: (n: AnyNode, parent: AnyNode | undefined, key: string) => boolean | void): void {
  const visitors: Record<string, Visitor> = {};
  for (const [type, base] of Object.entries(BASE)) {
    visitors[type] = (node, parent, c) => {
      if (node.type !== type) return base(node, parent, c);
      if (visit(node, parent, keyOf(parent, node)) !== false) base(node, node, c);
    };
  }
  const asWalker = (v: Record<string, Visitor>) => v as unknown as RecursiveVisitors<AnyNode | undefined>;
  recursive(program, undefined, asWalker(visitors), asWalker(BASE));
}

/** The identifiers of the cell that resolve to no declaration in any scope enclosing them: not a
 *  parameter, not an inner let/const/var/function/class, not a catch parameter, not a top-level
 *  declaration of this cell (those persist on the global object). eslint-scope does the scoping
 *  (block scopes, hoisting, closures over later declarations, class and catch scopes). */
function freeIdentifiers(program: Node, topLevel: ReadonlySet<string>): Set<Node> {
  // The cell runs as strict code (SES), so eval and `with` never make a scope dynamic.
  const manager = analyze(program, { ecmaVersion: 2022, sourceType: 'script', impliedStrict: true });
  const free = new Set<Node>();
  for (const scope of manager.scopes) {
    for (const ref of scope.references) {
      // Global-scope var/function references stay unresolved in eslint-scope; they are top-level.
      if (ref.resolved === null && !topLevel.has(ref.identifier.name)) free.add(ref.identifier as unknown as Node);
    }
  }
  return free;
}

/** Names of the cell's top-level declarations (they live on the compartment's global object). */
function topLevelNames(program: Program): Set<string> {
  const names: string[] = [];
  for (const stmt of program.body) {
    if (stmt.type === 'VariableDeclaration') for (const d of stmt.declarations) patternNames(d.id, names);
    else if ((stmt.type === 'ClassDeclaration' || stmt.type === 'FunctionDeclaration') && stmt.id) names.push(stmt.id.name);
  }
  return new Set(names);
}

/** True when an Identifier at this place is read as a variable (not a key, label, target or typeof operand). */
function isRead(parent: AnyNode | undefined, key: string): boolean {
  if (!parent) return false;
  switch (parent.type) {
    case 'MemberExpression':
      return key !== 'property' || parent.computed === true;
    case 'Property':
    case 'MethodDefinition':
    case 'PropertyDefinition':
      return key === 'key' ? parent.computed === true : !parent.shorthand;
    case 'UnaryExpression':
      return parent.operator !== 'typeof';
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
    case 'UpdateExpression':
    case 'MetaProperty':
      return false;
    case 'AssignmentExpression':
      return key === 'right';
    default:
      return true;
  }
}

// Subtrees whose identifiers are bindings or assignment targets, never plain reads.
function isTargetSubtree(n: AnyNode, parent: AnyNode | undefined, key: string): boolean {
  if (n.type.endsWith('Pattern') || n.type === 'RestElement') return true;
  if (!parent) return false;
  if ((parent.type === 'ForInStatement' || parent.type === 'ForOfStatement') && key === 'left') return true;
  if (parent.type === 'AssignmentExpression' && key === 'left') return true;
  if (key === 'params' || key === 'id' || (parent.type === 'CatchClause' && key === 'param')) return true;
  return false;
}

// SES rejects source text that merely looks like `import(`, `eval(` or an HTML comment, even inside a
// string. Inside literals and comments we rewrite the first character as an escape with the same
// value, so grep("import(") still works; real import() is refused below with a clear message.
const LOOKALIKE = /(\bimport|\beval)(?=\s*(?:\(|\/[/*]))|<!--|-->/g;
function escapeLookalikes(raw: string, kind: 'string' | 'regex'): string {
  return raw.replace(LOOKALIKE, (m, _w, offset: number) => {
    let slashes = 0;
    for (let i = offset - 1; i >= 0 && raw[i] === '\\'; i--) slashes++;
    if (slashes % 2 === 1) return m; // part of an escape already; leave it to SES
    if (m === '<!--') return '\\x3C!--';
    if (m === '-->') return kind === 'regex' ? '-\\x2D>' : '--\\x3E';
    return '\\x' + m.charCodeAt(0).toString(16) + m.slice(1);
  });
}

/** `isGlobal(name)` tells whether a name is currently defined on the compartment's global. */
export function transformCell(source: string, reserved: ReadonlySet<string>, isGlobal: (name: string) => boolean = () => true): TransformedCell {
  const comments: Comment[] = [];
  let program: Program;
  try {
    program = parse(source, {
      ecmaVersion: 'latest',
      sourceType: 'script',
      allowAwaitOutsideFunction: true,
      locations: true,
      ranges: true, // eslint-scope reads node.range
      onComment: comments,
    });
  } catch (err) {
    const e = err as SyntaxError & { loc?: { line: number } };
    const message = String(e.message).replace(/\s*\(\d+:\d+\)$/, '');
    throw new CellSyntaxError(`SyntaxError: ${message}`, e.loc?.line ?? 1);
  }

  const edits: Edit[] = [];
  const declared: string[] = [];
  const consts: string[] = [];
  const functions: string[] = [];
  const lineOf = (n: Node) => n.loc?.start.line ?? 1;
  const declare = (names: string[], at: Node) => {
    for (const name of names) {
      if (reserved.has(name)) throw new CellSyntaxError(`SyntaxError: "${name}" is a reserved REPL name and cannot be declared`, lineOf(at));
      if (!declared.includes(name)) declared.push(name);
    }
  };

  const free = freeIdentifiers(program, topLevelNames(program));
  walk(program, (n, parent, key) => {
    // Caught here for a clearer message than the TypeError the read-only global would give.
    if (n.type === 'AssignmentExpression' && (n.left as AnyNode).type === 'Identifier') {
      const name = (n.left as AnyNode).name as string;
      if (reserved.has(name) && free.has(n.left as Node)) {
        const hint = name === 'answer' ? '; set answer.content, then answer.ready = true' : '';
        throw new CellSyntaxError(`TypeError: "${name}" is a reserved REPL name and cannot be reassigned${hint}`, lineOf(n));
      }
    }
    if (isTargetSubtree(n, parent, key)) return false;
    // SES resolves an undefined global to `undefined` instead of throwing; a free name that is not
    // defined yet is checked at run time so that a typo still raises "x is not defined".
    if (n.type === 'Identifier' && isRead(parent, key)) {
      const name = n.name as string;
      if (free.has(n) && name !== 'arguments' && name !== CELL_HELPER && !isGlobal(name)) {
        edits.push({ at: n.start, end: n.end, text: `(${name} ?? ${CELL_HELPER}.chk(${JSON.stringify(name)}))` });
      }
      return;
    }
    if (n.type === 'ImportExpression') {
      throw new CellSyntaxError('SyntaxError: import() is not available in the REPL; use readFile/grep', lineOf(n));
    }
    if (n.type === 'Literal' && (typeof n.value === 'string' || n.regex)) {
      const raw = source.slice(n.start, n.end);
      const fixed = escapeLookalikes(raw, n.regex ? 'regex' : 'string');
      if (fixed !== raw) edits.push({ at: n.start, end: n.end, text: fixed });
    } else if (n.type === 'TemplateElement') {
      const raw = source.slice(n.start, n.end);
      const fixed = escapeLookalikes(raw, 'string');
      if (fixed !== raw) edits.push({ at: n.start, end: n.end, text: fixed });
    }
  });
  for (const c of comments) {
    const text = source.slice(c.start, c.end);
    if (LOOKALIKE.test(text)) edits.push({ at: c.start, end: c.end, text: text.replace(/[^\n]/g, ' ') });
    LOOKALIKE.lastIndex = 0;
  }

  const body = program.body;
  for (const stmt of body) {
    if (stmt.type === 'VariableDeclaration') {
      const names: string[] = [];
      for (const d of stmt.declarations) patternNames(d.id, names);
      declare(names, stmt);
      if (stmt.kind === 'const') consts.push(...names);
      edits.push({ at: stmt.start, end: stmt.start + stmt.kind.length, text: ';(' });
      for (const d of stmt.declarations) if (!d.init) edits.push({ at: d.id.end, end: d.id.end, text: ' = undefined' });
      const last = stmt.declarations[stmt.declarations.length - 1];
      edits.push({ at: last.end, end: last.end, text: ')' });
    } else if (stmt.type === 'ClassDeclaration' && stmt.id) {
      declare([stmt.id.name], stmt);
      edits.push({ at: stmt.start, end: stmt.start, text: `;${stmt.id.name} = ` });
      edits.push({ at: stmt.end, end: stmt.end, text: ';' });
    } else if (stmt.type === 'FunctionDeclaration' && stmt.id) {
      declare([stmt.id.name], stmt);
      functions.push(stmt.id.name);
    }
  }

  const last = body[body.length - 1];
  const hasValue = last?.type === 'ExpressionStatement';
  if (hasValue) {
    // The statement's own range keeps parentheses around the expression; drop its semicolon.
    const end = source[last.end - 1] === ';' ? last.end - 1 : last.end;
    edits.push({ at: last.start, end: last.start, text: 'return (' });
    edits.push({ at: end, end, text: ')' });
  }

  // Apply from the end so offsets stay valid. At one offset a replacement goes first, then the
  // inserts, latest pushed first, so that they end up in push order before the replaced text.
  const ordered = edits
    .map((e, i) => ({ ...e, i }))
    .sort((a, b) => b.at - a.at || b.end - b.at - (a.end - a.at) || b.i - a.i);
  let code = source;
  for (const e of ordered) code = code.slice(0, e.at) + e.text + code.slice(e.end);
  const prologue = functions.map((f) => `${CELL_HELPER}.fn(${JSON.stringify(f)}, ${f});`).join(' ');
  return {
    code: `(async function (${CELL_HELPER}) { ${prologue}${code}\n})`,
    declared,
    consts,
    functions,
    hasValue,
  };
}
