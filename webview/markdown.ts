/** The final answer: Markdown rendered without raw HTML (markdown-it html:false), then sanitized
 *  (DOMPurify) into a DOM fragment; links and images are dropped (their text stays), and file
 *  references are linked only after verification. Model text is never assigned as HTML unsanitized. */
import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';
import { highlightHtml } from './highlight';
import type { RefLinker } from './refs';

// Fenced code in a known language is highlighted (class names only; sanitized below with the rest).
const md = new MarkdownIt({ html: false, linkify: false, typographer: false, highlight: (code, lang) => highlightHtml(code, lang) ?? '' });

export function renderAnswer(markdown: string, linker: RefLinker): DocumentFragment {
  const html = md.render(markdown);
  const fragment = DOMPurify.sanitize(html, {
    RETURN_DOM_FRAGMENT: true,
    FORBID_TAGS: ['a', 'img', 'style', 'form', 'input', 'button', 'iframe', 'svg', 'math', 'video', 'audio'],
    FORBID_ATTR: ['style', 'href', 'src', 'srcset', 'action'],
    KEEP_CONTENT: true,
  }) as DocumentFragment;
  linker.linkifyTree(fragment);
  return fragment;
}
