/** Finds file references (`path`, `path:line`, `path:start-end`) in plain text and turns them into
 *  elements that become links only once the host has verified them against the workspace. */
import type { FileRef } from '../src/panelProtocol';

const CODE_EXT =
  'ts|tsx|js|jsx|mjs|cjs|json|jsonc|md|py|rs|go|java|kt|kts|c|h|cc|cpp|hpp|cs|rb|php|swift|scala|yml|yaml|toml|css|scss|less|html|vue|svelte|sh|bash|ps1|txt|xml|sql|ini|cfg|conf|gradle|lock|proto|graphql|dart|lua|r|m|mm|ex|exs|erl|hs|ml|fs|zig|nim|tf|env';
// A path: optional folders, a file name with an extension; optional :line or :start-end.
const REF = new RegExp(
  String.raw`(?<![\w/.:@-])((?:[\w@.-]+/)*[\w@-][\w@.-]*\.([A-Za-z][A-Za-z0-9]{0,9}))(?::(\d{1,7})(?:-(\d{1,7}))?)?(?![\w/])`,
  'g',
);
const KNOWN_EXT = new Set(CODE_EXT.split('|'));

export interface RefMatch {
  index: number;
  text: string;
  ref: FileRef;
}

export function findRefs(text: string): RefMatch[] {
  const out: RefMatch[] = [];
  for (const m of text.matchAll(REF)) {
    const [whole, path, ext, line, endLine] = m;
    // Bare words like "Node.js" are only candidates with a folder, a line, or a code extension.
    if (!path.includes('/') && line === undefined && !KNOWN_EXT.has(ext.toLowerCase())) continue;
    if (path.includes('..') || path.length > 512) continue;
    const ref: FileRef = { path };
    if (line !== undefined) ref.line = Number(line);
    if (endLine !== undefined) ref.endLine = Number(endLine);
    out.push({ index: m.index!, text: whole, ref });
  }
  return out;
}

export function refKey(ref: FileRef): string {
  return `${ref.path}:${ref.line ?? ''}-${ref.endLine ?? ''}`;
}

type Verify = (refs: FileRef[]) => Promise<boolean[]>;
type Open = (ref: FileRef) => void;

/** Verifies references in batches and caches the answers; reference elements update in place. */
export class RefLinker {
  private readonly known = new Map<string, boolean>();
  private readonly waiting = new Map<string, { ref: FileRef; els: HTMLElement[] }>();
  private flushTimer: number | undefined;

  private readonly lazyText = new WeakMap<Element, string>();
  private readonly observer =
    typeof IntersectionObserver === 'undefined'
      ? undefined
      : new IntersectionObserver((entries) => this.onVisible(entries), { rootMargin: '400px 0px' });

  constructor(
    private readonly verify: Verify,
    private readonly open: Open,
  ) {}

  /** Sets plain text now and finds references only when the element scrolls near the viewport,
   *  so a large expanded tree renders fast and only visible references are verified. */
  setTextLazily(el: HTMLElement, text: string): void {
    el.textContent = text;
    if (!this.observer) return this.linkifyTree(el);
    this.lazyText.set(el, text);
    this.observer.observe(el);
  }

  private onVisible(entries: IntersectionObserverEntry[]): void {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      const el = entry.target as HTMLElement;
      this.observer!.unobserve(el);
      const text = this.lazyText.get(el);
      this.lazyText.delete(el);
      if (text === undefined || !el.isConnected) continue;
      el.textContent = '';
      this.appendText(el, text);
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
