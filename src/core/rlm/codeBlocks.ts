/** Finds the runnable code in a model reply. Only fenced blocks tagged js, javascript or repl run. */
export interface ExtractedCode {
  blocks: string[];
  /** The reply had fenced blocks in another language (python, ts, ...) and none runnable. */
  foreignLanguage?: string;
}

const RUNNABLE = new Set(['js', 'javascript', 'repl', 'node', 'mjs']);
// Fences that carry data or prose rather than code in some other language.
const INERT = new Set(['', 'output', 'text', 'txt', 'plaintext', 'markdown', 'md', 'json', 'console', 'log']);
const OPEN = /^ {0,3}(`{3,}|~{3,})[ \t]*([^\s`{]*)/;

export function extractCode(reply: string): ExtractedCode {
  const blocks: string[] = [];
  let foreign: string | undefined;
  const lines = reply.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = OPEN.exec(lines[i]);
    if (!open) continue;
    const fence = open[1];
    const lang = open[2].toLowerCase();
    const body: string[] = [];
    let j = i + 1;
    // CommonMark: the closing fence uses the same character, at least as long, and nothing after it.
    const close = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}[ \\t]*$`);
    while (j < lines.length && !close.test(lines[j])) body.push(lines[j++]);
    i = j;
    const code = body.join('\n');
    if (RUNNABLE.has(lang)) {
      if (code.trim()) blocks.push(code);
    } else if (!INERT.has(lang)) {
      foreign ??= lang;
    }
  }
  return blocks.length ? { blocks } : { blocks, foreignLanguage: foreign };
}
