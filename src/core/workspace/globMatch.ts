import { RlmError } from '../errors';

export const MAX_GLOB_CHARS = 500;
const MAX_ALTERNATIVES = 64;
/** Tokens summed over all {a,b} alternatives. Matching one path costs at most this many steps per
 *  character, so a model-chosen glob cannot stall the host's main thread (filtering runs there). */
export const MAX_GLOB_WORK = 1000;

// A glob from model code runs on the host, so it is matched by simulating its automaton
// (time linear in path length x glob length), never by compiling it to a backtracking RegExp.
type Token =
  | { t: 'lit'; c: string }
  | { t: 'any' } // ?
  | { t: 'star' } // * : anything but '/'
  | { t: 'globstar' } // ** : anything
  | { t: 'dirs' } // **/ : zero or more whole folders
  | { t: 'class'; neg: boolean; ranges: Array<[string, string]> };

/** Compiles a glob, or a list of globs, into a path test.
 *
 *  One glob: `*` (anything but `/`), `**` (anything), `**` + `/` (zero or more whole folders), `?`,
 *  `[a-z]`, `[!x]`, `{a,b}`, `\` escapes. A glob without `/` matches the file name in any folder; one
 *  with `/` matches the whole workspace path (a leading `/` is dropped).
 *
 *  A list is an array, or one string whose globs are separated by commas outside `{}` (the way VS
 *  Code's "files to include" field reads; `\,` is a literal comma). A glob starting with `!` excludes:
 *  a path matches the list when it matches at least one glob without `!` (or the list has only `!`
 *  globs, which then mean "everything but") and none with `!`. Order does not matter. `\!` at the
 *  start is a literal `!`.
 *
 *  The returned test takes one path and any other names for the same file (in a multi-root
 *  workspace, the path inside its root): a file is included if any name matches an include glob and
 *  excluded if any name matches an exclude glob. */
export function compileGlob(glob: string | readonly string[]): (path: string, ...alsoAs: string[]) => boolean {
  const list = typeof glob === 'string' ? splitList(checkGlob(glob)) : Array.isArray(glob) ? glob.map((g) => checkGlob(g).trim()) : [checkGlob(glob)];
  if (list.length === 0) throw new RlmError('glob list is empty: give at least one glob', 'glob-invalid');
  const include: string[] = [];
  const exclude: string[] = [];
  for (const g of list) {
    if (!g.startsWith('!')) include.push(g);
    else if (g.length > 1) exclude.push(g.slice(1));
    else throw new RlmError("glob '!' excludes nothing: write '!' then a glob, e.g. '!test/**' or '!*.spec.ts'", 'glob-invalid');
  }
  const compiled = compileAll([...include, ...exclude]);
  const includes = compiled.slice(0, include.length);
  const excludes = compiled.slice(include.length);
  return (path: string, ...alsoAs: string[]) => {
    const names = [path, ...alsoAs];
    if (includes.length > 0 && !names.some((name) => includes.some((match) => match(name)))) return false;
    return !names.some((name) => excludes.some((match) => match(name)));
  };
}

function checkGlob(glob: unknown): string {
  if (typeof glob !== 'string' || glob.trim().length === 0) throw new RlmError('glob must be a non-empty string', 'glob-invalid');
  if (glob.length > MAX_GLOB_CHARS) throw new RlmError(`glob is longer than ${MAX_GLOB_CHARS} characters`, 'glob-invalid');
  return glob;
}

/** Top-level commas (outside `{}`, not escaped) separate globs; blanks around each are dropped. */
function splitList(glob: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i <= glob.length; i++) {
    const c = glob[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}' && depth > 0) depth--;
    if ((c === ',' && depth === 0) || i >= glob.length) {
      const part = glob.slice(from, i).trim();
      if (part.length === 0) throw new RlmError(`glob list ${JSON.stringify(glob)} has an empty item: separate globs with single commas`, 'glob-invalid');
      out.push(part);
      from = i + 1;
    }
  }
  return out;
}

/** Each glob's test; the work cap counts the tokens of all of them together. */
function compileAll(globs: string[]): Array<(path: string) => boolean> {
  let work = 0;
  const parsed = globs.map((glob) => {
    const basenameOnly = !glob.includes('/');
    const body = glob.startsWith('/') ? glob.slice(1) : glob;
    const tokenLists = expandBraces(body).map((g) => collapse(tokenize(g)));
    work += tokenLists.reduce((sum, tokens) => sum + tokens.length, 0);
    return { basenameOnly, tokenLists };
  });
  if (work > MAX_GLOB_WORK) {
    throw new RlmError(`glob too complex (${work} steps over its {a,b} alternatives, the limit is ${MAX_GLOB_WORK}); use a simpler glob`, 'glob-invalid');
  }
  return parsed.map(({ basenameOnly, tokenLists }) => {
    const alternatives = tokenLists.map(matcher);
    return (path: string) => {
      const subject = basenameOnly ? path.slice(path.lastIndexOf('/') + 1) : path;
      return alternatives.some((match) => match(subject));
    };
  });
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

/** A run of `*` and `?` (within one folder) means "at least k characters, or exactly k without a
 *  star": k `?` then one `*`. Fewer tokens means fewer NFA states alive per character. */
function collapse(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; ) {
    const t = tokens[i].t;
    if (t !== 'star' && t !== 'any') {
      out.push(tokens[i++]);
      continue;
    }
    let star = false;
    for (; i < tokens.length && (tokens[i].t === 'star' || tokens[i].t === 'any'); i++) {
      if (tokens[i].t === 'star') star = true;
      else out.push({ t: 'any' });
    }
    if (star) out.push({ t: 'star' });
  }
  return out;
}

/** NFA simulation over the live states only: `i` live means tokens[0..i) matched the prefix read
 *  so far. Each character costs at most one step per live state (at most tokens + 1 of them). */
function matcher(tokens: Token[]): (s: string) => boolean {
  const n = tokens.length;
  const seen = new Uint32Array(n + 1); // generation stamp per state, to add each state once per step
  const spread = new Uint32Array(n + 1); // generation stamp per state whose empty match was followed
  let gen = 0;
  let cur: number[] = [];
  let next: number[] = [];
  // Star-like tokens may match nothing: reaching them also reaches the token after them. Not so for
  // `**` + `/` inside a folder name (`through` false): its folders are whole, so the next token
  // is only reachable at the start or just after a `/` (`**` + `/x.ts` must not match `srcx.ts`).
  const add = (list: number[], i: number, through = true) => {
    for (;;) {
      if (seen[i] !== gen) {
        seen[i] = gen;
        list.push(i);
      }
      if (!through || spread[i] === gen) return;
      spread[i] = gen;
      const t = i < n ? tokens[i].t : undefined;
      if (t !== 'star' && t !== 'globstar' && t !== 'dirs') return;
      i++;
    }
  };
  return (s: string): boolean => {
    if (gen > 0x7fff0000) {
      seen.fill(0);
      spread.fill(0);
      gen = 0;
    }
    gen++;
    cur.length = 0;
    add(cur, 0);
    for (let p = 0; p < s.length; p++) {
      const ch = s[p];
      gen++;
      next.length = 0;
      for (const i of cur) {
        if (i === n) continue;
        const tk = tokens[i];
        switch (tk.t) {
          case 'lit':
            if (tk.c === ch) add(next, i + 1);
            break;
          case 'any':
            if (ch !== '/') add(next, i + 1);
            break;
          case 'star':
            if (ch !== '/') add(next, i);
            break;
          case 'globstar':
            add(next, i);
            break;
          case 'dirs':
            add(next, i, ch === '/');
            break;
          case 'class': {
            const hit = tk.ranges.some(([a, b]) => ch >= a && ch <= b);
            if (ch !== '/' && hit !== tk.neg) add(next, i + 1);
            break;
          }
        }
      }
      if (next.length === 0) return false;
      [cur, next] = [next, cur];
    }
    return cur.includes(n);
  };
}
