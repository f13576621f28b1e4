import { RlmError } from '../errors';

export const MAX_GLOB_CHARS = 500;
const MAX_ALTERNATIVES = 64;

// A glob from model code runs on the host, so it is matched by simulating its automaton
// (time linear in path length x glob length), never by compiling it to a backtracking RegExp.
type Token =
  | { t: 'lit'; c: string }
  | { t: 'any' } // ?
  | { t: 'star' } // * : anything but '/'
  | { t: 'globstar' } // ** : anything
  | { t: 'dirs' } // **/ : zero or more whole folders
  | { t: 'class'; neg: boolean; ranges: Array<[string, string]> };

/** Compiles a glob (`*`, `**`, `?`, `[a-z]`, `[!x]`, `{a,b}`, `\` escapes). A glob without `/`
 *  matches the file name in any folder; one with `/` matches the whole workspace path. */
export function compileGlob(glob: string): (path: string) => boolean {
  if (typeof glob !== 'string' || glob.length === 0) throw new RlmError('glob must be a non-empty string', 'glob-invalid');
  if (glob.length > MAX_GLOB_CHARS) throw new RlmError(`glob is longer than ${MAX_GLOB_CHARS} characters`, 'glob-invalid');
  const basenameOnly = !glob.includes('/');
  const body = glob.startsWith('/') ? glob.slice(1) : glob;
  const alternatives = expandBraces(body).map(tokenize);
  return (path: string) => {
    const subject = basenameOnly ? path.slice(path.lastIndexOf('/') + 1) : path;
    return alternatives.some((tokens) => run(tokens, subject));
  };
}

function expandBraces(glob: string): string[] {
  const open = findUnescaped(glob, '{', 0);
  if (open < 0) return [glob];
  let depth = 0;
  const cuts: number[] = [];
  let close = -1;
  for (let i = open; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) {
      close = i;
      break;
    } else if (c === ',' && depth === 1) cuts.push(i);
  }
  if (close < 0 || cuts.length === 0) {
    // Not a brace set: keep the brace literally.
    const rest = expandBraces(glob.slice(open + 1));
    return rest.map((r) => glob.slice(0, open) + '\\{' + r);
  }
  const parts: string[] = [];
  let from = open + 1;
  for (const cut of [...cuts, close]) {
    parts.push(glob.slice(from, cut));
    from = cut + 1;
  }
  const out: string[] = [];
  for (const p of parts) {
    for (const x of expandBraces(glob.slice(0, open) + p + glob.slice(close + 1))) {
      out.push(x);
      if (out.length > MAX_ALTERNATIVES) throw new RlmError('glob has too many {a,b} alternatives', 'glob-invalid');
    }
  }
  return out;
}

function findUnescaped(s: string, ch: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === ch) return i;
  }
  return -1;
}

function tokenize(glob: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\' && i + 1 < glob.length) out.push({ t: 'lit', c: glob[++i] });
    else if (c === '?') out.push({ t: 'any' });
    else if (c === '*') {
      let j = i;
      while (glob[j + 1] === '*') j++;
      const atStart = i === 0 || glob[i - 1] === '/';
      if (j > i && atStart && glob[j + 1] === '/') {
        out.push({ t: 'dirs' });
        j++;
      } else if (j > i && atStart && j + 1 === glob.length) out.push({ t: 'globstar' });
      else out.push({ t: 'star' });
      i = j;
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        out.push({ t: 'lit', c });
        continue;
      }
      let k = i + 1;
      const neg = glob[k] === '!' || glob[k] === '^';
      if (neg) k++;
      const ranges: Array<[string, string]> = [];
      for (; k < end; k++) {
        if (glob[k + 1] === '-' && k + 2 < end) {
          ranges.push([glob[k], glob[k + 2]]);
          k += 2;
        } else ranges.push([glob[k], glob[k]]);
      }
      out.push({ t: 'class', neg, ranges });
      i = end;
    } else out.push({ t: 'lit', c });
  }
  return out;
}

/** NFA simulation: `states[i]` means tokens[0..i) matched the prefix read so far. */
function run(tokens: Token[], s: string): boolean {
  const n = tokens.length;
  let cur = new Uint8Array(n + 1);
  let next = new Uint8Array(n + 1);
  cur[0] = 1;
  closeOver(tokens, cur);
  for (let p = 0; p < s.length; p++) {
    const ch = s[p];
    next.fill(0);
    let any = false;
    for (let i = 0; i < n; i++) {
      if (!cur[i]) continue;
      const tk = tokens[i];
      switch (tk.t) {
        case 'lit':
          if (tk.c === ch) next[i + 1] = 1;
          break;
        case 'any':
          if (ch !== '/') next[i + 1] = 1;
          break;
        case 'star':
          if (ch !== '/') next[i] = 1;
          break;
        case 'globstar':
          next[i] = 1;
          break;
        case 'dirs':
          next[i] = 1;
          if (ch === '/') next[i + 1] = 1;
          break;
        case 'class': {
          const hit = tk.ranges.some(([a, b]) => ch >= a && ch <= b);
          if (ch !== '/' && hit !== tk.neg) next[i + 1] = 1;
          break;
        }
      }
    }
    closeOver(tokens, next);
    for (let i = 0; i <= n; i++) if (next[i]) any = true;
    if (!any) return false;
    [cur, next] = [next, cur];
  }
  return cur[n] === 1;
}

/** Star-like tokens may match nothing: reaching them also reaches the token after them. */
function closeOver(tokens: Token[], states: Uint8Array): void {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i].t;
    if (states[i] && (t === 'star' || t === 'globstar' || t === 'dirs')) states[i + 1] = 1;
  }
}
