/**
 * Syntax highlighting with highlight.js (core + a few languages, so the bundle stays small). Its
 * output is class names only (`hljs-keyword`, …), themed in main.css with --vscode-* colours, so it
 * needs no inline styles under the panel's nonce CSP. highlight.js escapes the code it is given; the
 * result is still passed through DOMPurify before it becomes DOM.
 */
import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import css from 'highlight.js/lib/languages/css';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';

hljs.registerLanguage('javascript', javascript);
hljs.registerLanguage('typescript', typescript);
hljs.registerLanguage('json', json);
hljs.registerLanguage('python', python);
hljs.registerLanguage('bash', bash);
hljs.registerLanguage('css', css);
hljs.registerLanguage('xml', xml);

/** Code larger than this is shown plain: highlighting it would stall the panel for little gain. */
const MAX_CHARS = 20_000;

/** Highlighted HTML for `code` in `lang` (a fence's info string); undefined for unknown languages. */
export function highlightHtml(code: string, lang: string): string | undefined {
  const name = lang.trim().toLowerCase().split(/\s+/)[0] ?? '';
  if (!name || !hljs.getLanguage(name) || code.length > MAX_CHARS) return undefined;
  return hljs.highlight(code, { language: name, ignoreIllegals: true }).value;
}

/** `code` as highlighted DOM nodes (plain text when the language is unknown or the code too large). */
export function highlightedFragment(code: string, lang: string): DocumentFragment {
  const html = highlightHtml(code, lang);
  if (html === undefined) {
    const frag = document.createDocumentFragment();
    frag.appendChild(document.createTextNode(code));
    return frag;
  }
  return DOMPurify.sanitize(html, { RETURN_DOM_FRAGMENT: true, ALLOWED_TAGS: ['span'], ALLOWED_ATTR: ['class'] }) as DocumentFragment;
}
