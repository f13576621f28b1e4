/**
 * Secret redaction for everything that leaves a run: trace events, trajectory lines, error messages.
 * Applied once at the boundary (emit/write) so no caller has to remember it.
 */

const MASK = '[REDACTED]';

// Patterns that look like credentials even when we were not told the exact value.
// Token classes exclude quotes and backslashes so redacting JSON text keeps it valid JSON.
const GENERIC_PATTERNS: RegExp[] = [
  // Authorization headers and bearer tokens, in header form or inside JSON-ish text.
  // Whitespace runs are bounded: two adjacent unbounded \s* made long blank lines quadratic.
  /(\bAuthorization\b["']?[ \t]{0,16}[:=][ \t]{0,16}["']?)(?:(?:Bearer|Basic|Token)[ \t]{1,16})?[^\s"'\\,;}]+/gi,
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/g,
  // OpenAI / OpenRouter / Anthropic style keys: sk-..., sk-proj-..., sk-or-v1-..., sk-ant-...
  /\bsk-[A-Za-z0-9_-]{16,}/g,
  // Header / query names carrying keys (api-key=..., "x-api-key": "..."): only values that look like
  // a token (16+ chars with a digit), so code such as `apiKey: config.apiKey` stays readable.
  /(\b(?:x-)?api[-_]?key\b["']?\s*[:=]\s*["']?)(?=[A-Za-z_-]*\d)[A-Za-z0-9_-]{16,}/gi,
];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A redactor compiled once for a set of known secrets (API keys), plus the generic patterns. */
export class Redactor {
  private readonly exact: RegExp | undefined;

  constructor(secrets: Iterable<string | undefined | null> = []) {
    // Very short "secrets" would mask ordinary words; a real key is never this short.
    const list = [...secrets].filter((s): s is string => typeof s === 'string' && s.length >= 4);
    // Longest first so a key that contains another key is masked whole.
    list.sort((a, b) => b.length - a.length);
    this.exact = list.length ? new RegExp(list.map(escapeRegExp).join('|'), 'g') : undefined;
  }

  text(text: string): string {
    let out = this.exact ? text.replace(this.exact, MASK) : text;
    for (const re of GENERIC_PATTERNS) {
      re.lastIndex = 0;
      out = out.replace(re, (match: string, prefix?: unknown) =>
        typeof prefix === 'string' ? prefix + MASK : MASK,
      );
    }
    return out;
  }

  /** A deep copy of a JSON-like value with every string (keys included) redacted. */
  value<T>(value: T): T {
    return this.walk(value, 0) as T;
  }

  private walk(v: unknown, depth: number): unknown {
    if (typeof v === 'string') return this.text(v);
    if (v === null || typeof v !== 'object' || depth > 64) return v;
    if (Array.isArray(v)) return v.map((x) => this.walk(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      out[this.text(k)] = this.walk(x, depth + 1);
    }
    return out;
  }
}

/** Replace each known secret and anything that looks like a key or auth header with a mask. */
export function redactSecrets(text: string, secrets: Iterable<string | undefined | null> = []): string {
  return new Redactor(secrets).text(text);
}

export const REDACTED = MASK;
