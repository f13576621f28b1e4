/** Turns the file references in text (src/fileRefs.ts finds them) into elements that become links
 *  only once the host has verified them against the workspace. */
import { findRefs, refKey, type RefMatch } from '../src/fileRefs';
import type { FileRef } from '../src/panelProtocol';
import { highlightedFragment } from './highlight';

type Verify = (refs: FileRef[]) => Promise<boolean[]>;
type Open = (ref: FileRef) => void;

/** Verifies references in batches and caches the answers; reference elements update in place. */
export class RefLinker {
  private readonly known = new Map<string, boolean>();
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
      this.appendText(el, text);
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

  /** Appends `text` to `parent`, with every reference as a (pending) reference element. */
  appendText(parent: Node, text: string): void {
    let at = 0;
    for (const m of findRefs(text)) {
      if (m.index > at) parent.appendChild(document.createTextNode(text.slice(at, m.index)));
      parent.appendChild(this.refElement(m));
      at = m.index + m.text.length;
    }
    if (at < text.length) parent.appendChild(document.createTextNode(text.slice(at)));
  }

  /** Replaces references inside the text nodes of an already built (sanitized) subtree. */
  linkifyTree(root: Node): void {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const nodes: Text[] = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text);
    for (const node of nodes) {
      const text = node.data;
      if (findRefs(text).length === 0) continue;
      const frag = document.createDocumentFragment();
      this.appendText(frag, text);
      node.replaceWith(frag);
    }
  }

  private refElement(m: RefMatch): HTMLElement {
    const el = document.createElement('span');
    el.className = 'ref pending';
    el.textContent = m.text;
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

  private settle(el: HTMLElement, ref: FileRef, ok: boolean): void {
    el.classList.remove('pending');
    if (ok) {
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
    const verified = await this.verify(batch.map(([, e]) => e.ref));
    batch.forEach(([key, entry], i) => {
      const ok = verified[i] === true;
      this.known.set(key, ok);
      for (const el of entry.els) this.settle(el, entry.ref, ok);
    });
  }
}
