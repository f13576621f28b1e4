/**
 * The forced last call asks for prose, yet models often still reply with a code block that calls
 * FINAL('…'). Nothing runs after that call, so such a reply would reach the user as raw code. When
 * the argument is built only from string literals, it is the answer the model meant; otherwise the
 * reply is kept as written.
 */
import { parse, type Expression, type Node } from 'acorn';
import { extractCode } from './codeBlocks';

/** The answer a forced reply carries: the literal text of its FINAL(...) when it has one. */
export function forcedAnswerText(reply: string): string {
  const { blocks } = extractCode(reply);
  for (const code of blocks) {
    const literal = finalLiteral(code);
    if (literal !== undefined) return literal;
  }
  return reply;
}

function finalLiteral(code: string): string | undefined {
  let program;
  try {
    program = parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowAwaitOutsideFunction: true });
  } catch {
    return undefined;
  }
  for (const stmt of program.body) {
    if (stmt.type !== 'ExpressionStatement') continue;
    const call = stmt.expression;
    if (call.type !== 'CallExpression' || call.callee.type !== 'Identifier' || call.callee.name !== 'FINAL') continue;
    const arg = call.arguments[0];
    if (!arg || arg.type === 'SpreadElement') return undefined;
    return literalText(arg);
  }
  return undefined;
}

/** Text of a string literal, a template without substitutions, or a `+` chain of those. */
function literalText(node: Expression | Node): string | undefined {
  const n = node as Expression;
  if (n.type === 'Literal') return typeof n.value === 'string' ? n.value : undefined;
  if (n.type === 'TemplateLiteral') return n.expressions.length === 0 ? n.quasis.map((q) => q.value.cooked ?? '').join('') : undefined;
  if (n.type === 'BinaryExpression' && n.operator === '+') {
    const left = literalText(n.left);
    const right = literalText(n.right);
    return left !== undefined && right !== undefined ? left + right : undefined;
  }
  return undefined;
}
