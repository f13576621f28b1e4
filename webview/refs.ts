/** Turns the file references in text (src/fileRefs.ts finds them) into elements that become links
 *  only once the host has verified them against the workspace. Text is never changed: a reference
 *  that does not verify goes back to plain text when it is a bare file name (`res.json` may be an
 *  identifier) or inside code (`pre`); only a path-shaped one in prose is marked unverified. */
import { findRefsAfter, refKey, type RefMatch } from '../src/fileRefs';
import type { FileRef } from '../src/panelProtocol';
import { highlightedFragment } from './highlight';
import type { VerifyReply } from './rpc';

type Verify = (refs: FileRef[]) => Promise<VerifyReply>;
type Open = (ref: FileRef) => void;
/** A verified reference opens `ref`, possibly under its full workspace path. */
type Known = { ok: true; ref: FileRef } | { ok: false };

/** Verifies references in batches and caches the answers; reference elements update in place. */
export class RefLinker {
  private readonly known = new Map<string, Known>();
  private readonly waiting = new Map<string, { ref: FileRef; els: HTMLElement[] }>();
  private flushTimer: number | undefined;

  private readonly lazyText = new WeakMap<Element, { text: string; lang?: string }>();
  private readonly observer =
    typeof IntersectionObserver === 'undefined'
      ? undefined
      : new IntersectionObserver((entries) => this.onVisible(entries), { rootMargin: '400px 0px' });

  constructor(
    private readonly verify: Verify,
    private readonly open: Open,
  ) {}

  /** Sets plain text now and, when the element scrolls near the viewport, highlights it (`lang`)
   *  and finds references, so a large expanded tree renders fast and only visible references are verified. */
  setTextLazily(el: HTMLElement, text: string, lang?: string): void {
    el.textContent = text;
    if (!this.observer) return this.render(el, text, lang);
    this.lazyText.set(el, { text, lang });
    this.observer.observe(el);
  }

  private render(el: HTMLElement, text: string, lang: string | undefined): void {
    if (lang === undefined) {
      el.textContent = '';
      this.appendText(el, text, { quiet: true });
      return;
    }
    el.replaceChildren(highlightedFragment(text, lang));
    this.linkifyTree(el);
  }

  private onVisible(entries: IntersectionObserverEntry[]): void {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      const el = entry.target as HTMLElement;
      this.observer!.unobserve(el);
      const lazy = this.lazyText.get(el);
      this.lazyText.delete(el);
      if (lazy === undefined || !el.isConnected) continue;
      this.render(el, lazy.text, lazy.lang);
    }
  }

  /** Appends `text` to `parent`, with every reference as a (pending) reference element. `quiet`:
   *  code, where a reference that does not verify stays plain text. `lastPath`: the path named last
   *  before this text (`:12-14` and "lines 12-14" refer to it); the one named last is returned. */
  appendText(parent: Node, text: string, opts: { quiet?: boolean; lastPath?: string } = {}): string | undefined {
    const found = findRefsAfter(text, opts.lastPath);
    let at = 0;
    for (const m of found.refs) {
      if (m.index > at) parent.appendChild(document.createTextNode(text.slice(at, m.index)));
      parent.appendChild(this.refElement(m, opts.quiet === true));
      at = m.index + m.text.length;
    }
    if (at < text.length) parent.appendChild(document.createTextNode(text.slice(at)));
    return found.lastPath;
  }

  /** Replaces references inside the text nodes of an already built (sanitized) subtree, in document
   *  order so line-only references take the path named before them. */
  linkifyTree(root: Node): void {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const nodes: Text[] = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text);
    let lastPath: string | undefined;
    for (const node of nodes) {
      const text = node.data;
      const found = findRefsAfter(text, lastPath);
      if (found.refs.length === 0) continue;
      const frag = document.createDocumentFragment();
      const quiet = node.parentElement?.closest('pre') != null || (root instanceof Element && root.matches('pre'));
      lastPath = this.appendText(frag, text, { quiet, lastPath });
      node.replaceWith(frag);
    }
  }

  private refElement(m: RefMatch, quiet: boolean): HTMLElement {
    const el = document.createElement('span');
    el.className = 'ref pending';
    el.textContent = m.text;
    // Not verified: a bare name may be an identifier, and code text is never marked.
    if (m.bare || quiet) el.dataset.plainIfMissing = '';
    el.dataset.path = m.ref.path;
    if (m.ref.line !== undefined) el.dataset.line = String(m.ref.line);
    if (m.ref.endLine !== undefined) el.dataset.endLine = String(m.ref.endLine);
    const key = refKey(m.ref);
    const known = this.known.get(key);
    if (known !== undefined) {
      this.settle(el, m.ref, known);
    } else {
      const entry = this.waiting.get(key) ?? { ref: m.ref, els: [] };
      entry.els.push(el);
      this.waiting.set(key, entry);
      this.scheduleFlush();
    }
    return el;
  }

  private settle(el: HTMLElement, asked: FileRef, known: Known): void {
    el.classList.remove('pending');
    if (known.ok) {
      const ref = known.ref;
      if (ref.path !== asked.path) el.dataset.path = ref.path;
      el.classList.add('verified');
      el.setAttribute('role', 'link');
      el.tabIndex = 0;
      el.title = `Open ${ref.path}${ref.line ? ` at line ${ref.line}` : ''}`;
      const go = () => this.open(ref);
      el.addEventListener('click', go);
      el.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          go();
        }
      });
    } else if (el.dataset.plainIfMissing !== undefined) {
      el.classList.remove('ref');
    } else {
      el.classList.add('unverified');
      el.title = 'Unverified: no such file or line in the workspace';
    }
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== undefined) return;
    this.flushTimer = window.setTimeout(() => void this.flush(), 30);
  }

  private async flush(): Promise<void> {
    this.flushTimer = undefined;
    const batch = [...this.waiting.entries()].slice(0, 500);
    for (const [key] of batch) this.waiting.delete(key);
    if (this.waiting.size > 0) this.scheduleFlush();
    if (batch.length === 0) return;
    const reply = await this.verify(batch.map(([, e]) => e.ref));
    batch.forEach(([key, entry], i) => {
      const path = reply.paths?.[i];
      const known: Known = reply.verified[i] === true ? { ok: true, ref: typeof path === 'string' && path ? { ...entry.ref, path } : entry.ref } : { ok: false };
      this.known.set(key, known);
      for (const el of entry.els) this.settle(el, entry.ref, known);
    });
  }
}
