/**
 * User-facing text (terminal, panel) shows every character a reader could not otherwise see:
 * control characters that drive a terminal, bidi controls that reorder a line, zero-width
 * characters and Unicode tag characters that hide text ("ASCII smuggling"). Each becomes a
 * `\uXXXX` escape per UTF-16 unit, so the result is still valid inside a JSON string and decodes
 * back to the same text.
 */

// Bidi controls (ALM, LRM/RLM, embeddings/overrides, isolates), zero-width and invisible format
// characters (ZWSP, ZWNJ, ZWJ, word joiner, invisible operators, BOM, Mongolian vowel separator,
// soft hyphen, Hangul fillers) and the tag block U+E0000-U+E007F (a surrogate pair each).
const INVISIBLE = '\\u00ad\\u061c\\u115f\\u1160\\u180e\\u200b-\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\u3164\\ufeff\\uffa0';
const TAGS = '\\udb40[\\udc00-\\udc7f]';
// C0 except tab and newline, DEL, and C1 (0x9b is an 8-bit CSI for some terminals).
const CONTROLS = '\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f';

const INVISIBLE_RE = new RegExp(`[${INVISIBLE}]|${TAGS}`, 'g');
const TERMINAL_RE = new RegExp(`[${CONTROLS}${INVISIBLE}]|${TAGS}`, 'g');

// ZWJ and ZWNJ are part of real text: emoji sequences (👩‍💻) and Arabic or Indic spelling.
const JOINED_SCRIPT = /[\p{Script=Arabic}\p{Script=Syriac}\p{Script=Devanagari}\p{Script=Bengali}\p{Script=Gurmukhi}\p{Script=Gujarati}\p{Script=Oriya}\p{Script=Tamil}\p{Script=Telugu}\p{Script=Kannada}\p{Script=Malayalam}\p{Script=Sinhala}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Thaana}]\p{M}*$/u;
const EMOJI_BEFORE = /\p{Extended_Pictographic}(?:\ufe0f|[\u{1f3fb}-\u{1f3ff}])*$/u;
const EMOJI_AFTER = /^\p{Extended_Pictographic}/u;

function escapeUnits(c: string): string {
  let out = '';
  for (let i = 0; i < c.length; i++) out += '\\u' + c.charCodeAt(i).toString(16).padStart(4, '0');
  return out;
}

function replace(text: string, re: RegExp): string {
  return text.replace(re, (c: string, offset: number) => {
    if (c === '\u200d' || c === '\u200c') {
      const before = text.slice(Math.max(0, offset - 8), offset);
      if (JOINED_SCRIPT.test(before)) return c;
      if (c === '\u200d' && EMOJI_BEFORE.test(before) && EMOJI_AFTER.test(text.slice(offset + 1, offset + 3))) return c;
    }
    return escapeUnits(c);
  });
}

/** Makes invisible characters visible (for text shown in the panel); keeps newlines, tabs and
 *  other control characters (the panel shows text as text, never as markup). */
export function visible(text: string): string {
  return replace(text, INVISIBLE_RE);
}

/** The one escape for anything written to a terminal (stdout or stderr): control characters
 *  other than newline and tab, and every invisible character, become `\uXXXX`. */
export function terminalSafe(text: string): string {
  return replace(text, TERMINAL_RE);
}
