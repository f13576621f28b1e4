import { rules as presetRules } from '@secretlint/secretlint-rule-preset-recommend';

/** What the model sees where a secret was: `[secret masked: <rule>]`. */
export function maskLabel(rule: string): string {
  return `[secret masked: ${rule}]`;
}

/** The configured API key (and any other value the host knows is secret) is masked as this rule. */
export const KNOWN_SECRET_RULE = 'api-key';

// Values shorter than this are not masked: a short "key" (a loopback endpoint's placeholder
// such as "x") would mask every occurrence of a common letter.
const MIN_KNOWN_SECRET_CHARS = 8;

// The part of secretlint's rule interface used here (secretlint-rule-preset-recommend 12.0.0).
interface RuleSource {
  content: string;
  filePath: string;
  ext: string;
  contentType: 'text';
}
interface RuleContext {
  report(d: { range: readonly [number, number] }): void;
  ignore(): void;
  createTranslator(): (id: string) => string;
}
interface RuleCreator {
  meta: { id: string };
  create(context: RuleContext, options: Record<string, unknown>): { file?(source: RuleSource): unknown };
}

// secretlint-disable comments come from the file itself: a file must not unmask its own secrets.
const SKIPPED_RULES = new Set(['@secretlint/secretlint-rule-filter-comments']);

// Text each rule's patterns cannot match without (read from the rules of 12.0.0; case-folded
// where the rule's pattern is case-insensitive). One pass of one regex finds which rules can
// report at all, and only those run: most source files trigger none or one, which cuts the cost
// of masking several times. A rule missing here (a newer preset) always runs.
const TRIGGERS: Record<string, { text?: string[]; folded?: string[] }> = {
  aws: { text: ['CCESS', 'ccess'] }, // the secret-access-key pattern (the ID scan is off by default)
  gcp: { text: ['private_key'] },
  npm: { text: ['x-oauth-basic', '_authToken=', 'npm_'] },
  slack: { text: ['xoxb-', 'xoxp-', 'xapp-', 'xoxa-', 'xoxo-', 'xoxr-'], folded: ['hooks.slack.com'] },
  basicauth: { text: ['://'] },
  openai: { text: ['T3BlbkFJ'] },
  anthropic: { text: ['sk-ant-api0'] },
  groq: { text: ['gsk_'] },
  huggingface: { text: ['hf_'] },
  linear: { text: ['lin_api_'] },
  notion: { text: ['ntn_'] },
  privatekey: { text: ['PRIVATE KEY'] },
  sendgrid: { text: ['SG.'] },
  shopify: { text: ['shppa_', 'shpca_', 'shpat_', 'shpss_'] },
  github: { text: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'] },
  gitlab: { text: ['glpat-'] },
  grafana: { text: ['glc_', 'glsa_'] },
  '1password': { text: ['ops_'] },
  'database-connection-string': { folded: ['mongodb', 'mysql', 'postgres'] },
  'hashicorp-vault': { text: ['hvs.', 'hvb.', 'hvr.'] },
  vercel: { text: ['vcp_', 'vci_', 'vca_', 'vcr_', 'vck_'] },
  databricks: { text: ['dapi'] },
  docker: { text: ['dckr_pat_'] },
  figma: { text: ['figd_'] },
};

/** Rules of the preset that have no trigger above (they run on every text). */
export function untriggeredRules(): string[] {
  return (presetRules as unknown as RuleCreator[])
    .map((c) => c.meta.id.replace(/^@secretlint\/secretlint-rule-/, ''))
    .filter((id) => !SKIPPED_RULES.has('@secretlint/secretlint-rule-' + id) && !(id in TRIGGERS));
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A found secret: [start, end) in UTF-16 units, and the rule that found it. */
export type Span = [number, number, string];

/**
 * Masks secrets inside file text before it reaches a model, the panel or the CLI: private-key
 * blocks, cloud and SaaS tokens, credentials in URLs (secretlint's recommended preset), and the
 * values the host knows are secret (the configured API key).
 *
 * secretlint's own API (@secretlint/core lintSource) is async and builds a message pipeline per
 * call; the preset's rules themselves are synchronous `file(source)` handlers that report ranges
 * (only the GCP rule's .p12 branch is async, and only text is passed here). So the rules run
 * here, created once, against a minimal context that collects the reported ranges. Each span is
 * replaced by `[secret masked: <rule>]` followed by the newlines it covered, so line numbers (the
 * scan's counts, ranges, grep hits) stay the same.
 */
export class SecretMasker {
  private readonly found: Span[] = [];
  private readonly handlers: Array<{ rule: string; file(source: RuleSource): unknown }> = [];
  private readonly known: string[];
  /** Trigger text (folded ones lower-cased) -> rules it may wake. */
  private readonly wakes = new Map<string, string[]>();
  private readonly triggers: RegExp;
  private readonly folded: RegExp | undefined;

  constructor(knownSecrets: readonly string[] = []) {
    for (const creator of presetRules as unknown as RuleCreator[]) {
      if (SKIPPED_RULES.has(creator.meta.id)) continue;
      const rule = creator.meta.id.replace(/^@secretlint\/secretlint-rule-/, '');
      let current = rule;
      const context: RuleContext = {
        report: (d) => this.found.push([d.range[0], d.range[1], current]),
        ignore: () => undefined,
        createTranslator: () => (id: string) => id,
      };
      const handler = creator.create(context, {});
      if (typeof handler.file === 'function') {
        const file = handler.file.bind(handler);
        this.handlers.push({ rule, file: (s) => ((current = rule), file(s)) });
      }
    }
    this.known = [...new Set(knownSecrets.filter((v) => typeof v === 'string' && v.length >= MIN_KNOWN_SECRET_CHARS))];
    const exact: string[] = [];
    const folded: string[] = [];
    for (const [rule, t] of Object.entries(TRIGGERS)) {
      for (const x of t.text ?? []) exact.push(x);
      for (const x of t.folded ?? []) folded.push(x);
      for (const x of [...(t.text ?? []), ...(t.folded ?? [])]) this.wakes.set(x, [...(this.wakes.get(x) ?? []), rule]);
    }
    this.triggers = new RegExp(exact.map(escapeRe).join('|'), 'g');
    this.folded = folded.length > 0 ? new RegExp(folded.map(escapeRe).join('|'), 'gi') : undefined;
  }

  /** Rules whose trigger text occurs in `text`. */
  private woken(text: string): Set<string> {
    const out = new Set<string>();
    for (const re of [this.triggers, this.folded]) {
      if (!re) continue;
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        for (const rule of this.wakes.get(re === this.folded ? m[0].toLowerCase() : m[0]) ?? []) out.add(rule);
      }
    }
    return out;
  }

  /** `text` with every secret replaced; the same string when none was found. `path` gives the
   *  rules the file's extension (the GCP rule only looks at .json). */
  mask(text: string, path = ''): string {
    return this.maskFound(text, path).text;
  }

  /** `text` masked, and where the secrets were in `text` (sorted, merged). */
  maskFound(text: string, path = ''): { text: string; spans: readonly Span[] } {
    const spans = this.find(text, path);
    if (spans.length === 0) return { text, spans };
    let out = '';
    let at = 0;
    for (const [start, end, rule] of spans) {
      out += text.slice(at, start) + maskLabel(rule);
      for (let i = text.indexOf('\n', start); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) out += '\n';
      at = end;
    }
    return { text: out + text.slice(at), spans };
  }

  /** Spans of secrets in `text`, sorted and merged. */
  private find(text: string, path: string): Span[] {
    this.found.length = 0;
    const dot = path.lastIndexOf('.');
    const source: RuleSource = { content: text, filePath: path, ext: dot > path.lastIndexOf('/') ? path.slice(dot) : '', contentType: 'text' };
    const woken = this.woken(text);
    for (const h of this.handlers) {
      if (h.rule in TRIGGERS && !woken.has(h.rule)) continue;
      try {
        const r = h.file(source);
        // An async branch (never taken for text) must not leave an unhandled rejection.
        if (r && typeof (r as Promise<unknown>).then === 'function') (r as Promise<unknown>).catch(() => undefined);
      } catch {
        // A rule that throws on odd input finds nothing; the others still run.
      }
    }
    for (const v of this.known) {
      for (let i = text.indexOf(v); i !== -1; i = text.indexOf(v, i + v.length)) this.found.push([i, i + v.length, KNOWN_SECRET_RULE]);
    }
    if (this.found.length === 0) return [];
    const spans = this.found
      .filter(([s, e]) => Number.isInteger(s) && Number.isInteger(e) && s >= 0 && e > s && e <= text.length)
      .map(([s, e, rule]): Span => [s, extendToken(text, e), rule])
      .sort((a, b) => a[0] - b[0] || b[1] - a[1]);
    const merged: Span[] = [];
    for (const s of spans) {
      const last = merged[merged.length - 1];
      if (last && s[0] < last[1]) last[1] = Math.max(last[1], s[1]);
      else merged.push([s[0], s[1], s[2]]);
    }
    this.found.length = 0;
    return merged;
  }
}

// A span ends where its token does: the AWS rule of 12.0.0 reports the match's start with the
// key's length (it masks the prefix and leaves the key's tail), so every span is carried on over
// token characters (base64, URL-safe base64, dots) to the token's real end.
const TOKEN_CHAR = /[A-Za-z0-9+/=_.-]/;

function extendToken(text: string, end: number): number {
  while (end < text.length && TOKEN_CHAR.test(text[end])) end++;
  return end;
}

/** Where masked spans lie, by line: line (1-based) -> column ranges [start, end) in the unmasked
 *  line (end Infinity: to the end of the line). Lets a hit that ripgrep found on the unmasked
 *  file be dropped when its match touches a secret. */
export function spansByLine(text: string, spans: readonly Span[]): Map<number, Array<[number, number]>> {
  const out = new Map<number, Array<[number, number]>>();
  const add = (line: number, a: number, b: number) => {
    const list = out.get(line);
    if (list) list.push([a, b]);
    else out.set(line, [[a, b]]);
  };
  let line = 1;
  let lineStart = 0;
  let next = text.indexOf('\n');
  const advanceTo = (pos: number) => {
    while (next !== -1 && next < pos) {
      line++;
      lineStart = next + 1;
      next = text.indexOf('\n', lineStart);
    }
  };
  for (const [start, end] of spans) {
    advanceTo(start);
    let a = start - lineStart;
    for (;;) {
      const lineEnd = next === -1 ? text.length : next;
      if (end <= lineEnd) {
        add(line, a, end - lineStart);
        break;
      }
      add(line, a, Infinity);
      advanceTo(lineEnd + 1);
      a = 0;
    }
  }
  return out;
}
