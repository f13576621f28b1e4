/**
 * The live recursion tree. Holds every node as data and builds DOM only for what is visible:
 * a node's children and details exist only while it is expanded, so thousands of nodes stay cheap.
 * Iterations before the current one collapse as new ones arrive, unless the user opened them; a
 * collapsed iteration shows a one-line summary of what it did.
 *
 * Keyboard: the ARIA tree pattern (https://www.w3.org/WAI/ARIA/apg/patterns/treeview/) with a roving
 * tabindex: the tree is one Tab stop; Up/Down move between rows, Right expands or enters, Left
 * collapses or goes to the parent, Home/End jump, Enter/Space toggle.
 */
import type { NodeKind, NodeView } from '../src/panelProtocol';
import { formatCost, formatMs, formatTokens } from './format';
import { iterationSummary, proseOf } from './nodeText';
import { addCopyButton } from './copyButtons';
import type { RefLinker } from './refs';

interface NodeRecord {
  view: NodeView;
  childIds: string[];
  expanded: boolean;
  userToggled: boolean;
  el?: HTMLElement;
  row?: HTMLElement;
  detail?: HTMLElement;
  children?: HTMLElement;
}

const KIND_LABEL: Record<NodeKind, string> = {
  run: 'run',
  iteration: 'iter',
  model: 'model',
  cell: 'code',
  subcall: 'sub',
  child: 'child',
};

let rowIds = 0;

export class RecursionTree {
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly topIds: string[] = [];
  private currentIterationId: string | undefined;
  /** The one row in the Tab order (roving tabindex). */
  private activeId: string | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly linker: RefLinker,
  ) {
    root.setAttribute('role', 'tree');
    root.addEventListener('keydown', (e) => this.onKey(e));
    root.addEventListener('focusin', (e) => {
      const item = e.target as HTMLElement;
      if (item.getAttribute('role') === 'treeitem' && item.dataset.id) this.setActive(item.dataset.id);
    });
  }

  get size(): number {
    return this.nodes.size;
  }

  clear(): void {
    this.nodes.clear();
    this.topIds.length = 0;
    this.currentIterationId = undefined;
    this.activeId = undefined;
    this.root.replaceChildren();
  }

  /** Adds or updates nodes, in order. */
  upsert(views: NodeView[]): void {
    const appendTop = document.createDocumentFragment();
    const touched = new Set<string>();
    for (const view of views) {
      touched.add(view.id);
      const existing = this.nodes.get(view.id);
      if (existing) {
        existing.view = view;
        if (existing.el) this.refresh(existing);
        continue;
      }
      const rec: NodeRecord = { view, childIds: [], expanded: this.defaultExpanded(view), userToggled: false };
      this.nodes.set(view.id, rec);
      const parent = view.parentId !== undefined ? this.nodes.get(view.parentId) : undefined;
      if (view.kind === 'iteration' && !parent) this.onNewTopIteration(view.id);
      if (!parent) {
        this.topIds.push(view.id);
        appendTop.appendChild(this.build(rec));
      } else {
        parent.childIds.push(view.id);
        if (parent.row) this.refreshTwisty(parent);
        // The first CODE node of an iteration: its MODEL sibling stops showing that code.
        if (view.kind === 'cell') {
          for (const id of parent.childIds) {
            const sib = this.nodes.get(id)!;
            if (sib.view.kind === 'model' && sib.el) this.refresh(sib);
          }
        }
        if (parent.expanded && parent.children) parent.children.appendChild(this.build(rec));
      }
    }
    if (appendTop.childNodes.length) this.root.appendChild(appendTop);
    // Summaries of the iterations whose subtree changed.
    const tops = new Set<string>();
    for (const id of touched) {
      const top = this.topAncestor(id);
      if (top && top !== id) tops.add(top);
    }
    for (const id of tops) {
      const rec = this.nodes.get(id);
      if (rec?.row) this.fillRow(rec);
    }
    this.ensureTabStop();
  }

  expandAll(): void {
    for (const rec of this.nodes.values()) {
      rec.expanded = true;
      rec.userToggled = true;
    }
    this.rebuild();
  }

  collapseAll(): void {
    for (const rec of this.nodes.values()) {
      rec.expanded = false;
      rec.userToggled = true;
    }
    this.rebuild();
  }

  private rebuild(): void {
    for (const rec of this.nodes.values()) rec.el = rec.row = rec.detail = rec.children = undefined;
    const frag = document.createDocumentFragment();
    for (const id of this.topIds) frag.appendChild(this.build(this.nodes.get(id)!));
    this.root.replaceChildren(frag);
    this.ensureTabStop();
  }

  private defaultExpanded(view: NodeView): boolean {
    if (view.kind === 'iteration') return view.parentId === undefined;
    if (view.kind === 'cell') return view.parentId !== undefined && view.parentId === this.currentIterationId;
    return false;
  }

  private onNewTopIteration(id: string): void {
    const prev = this.currentIterationId !== undefined ? this.nodes.get(this.currentIterationId) : undefined;
    if (prev && !prev.userToggled && prev.expanded) this.setExpanded(prev, false);
    this.currentIterationId = id;
  }

  private topAncestor(id: string): string | undefined {
    let rec = this.nodes.get(id);
    let guard = 0;
    while (rec?.view.parentId !== undefined && guard++ < 64) {
      const parent = this.nodes.get(rec.view.parentId);
      if (!parent) break;
      rec = parent;
    }
    return rec?.view.id;
  }

  private build(rec: NodeRecord): HTMLElement {
    const el = document.createElement('div');
    el.className = `node kind-${rec.view.kind}`;
    el.setAttribute('role', 'treeitem');
    el.tabIndex = rec.view.id === this.activeId ? 0 : -1;
    el.dataset.id = rec.view.id;
    const row = document.createElement('div');
    row.className = 'row';
    row.id = `row-${++rowIds}`;
    el.setAttribute('aria-labelledby', row.id);
    row.addEventListener('click', (e) => {
      if ((e.target as HTMLElement).closest('.ref.verified')) return;
      this.toggle(rec);
      el.focus();
    });
    el.appendChild(row);
    rec.el = el;
    rec.row = row;
    this.fillRow(rec);
    if (rec.expanded) this.openContent(rec);
    return el;
  }

  // ---- keyboard (roving tabindex) ----

  private visibleItems(): HTMLElement[] {
    return [...this.root.querySelectorAll<HTMLElement>('[role="treeitem"]')];
  }

  private setActive(id: string): void {
    if (this.activeId === id) return;
    const prev = this.activeId !== undefined ? this.nodes.get(this.activeId) : undefined;
    if (prev?.el) prev.el.tabIndex = -1;
    this.activeId = id;
    const next = this.nodes.get(id);
    if (next?.el) next.el.tabIndex = 0;
  }

  /** Keeps exactly one rendered row in the Tab order (the active one, or the first row). */
  private ensureTabStop(): void {
    const active = this.activeId !== undefined ? this.nodes.get(this.activeId) : undefined;
    if (active?.el?.isConnected) return;
    // The active row was folded away: its nearest rendered ancestor takes over.
    let id = active?.view.parentId;
    while (id !== undefined) {
      const rec = this.nodes.get(id);
      if (rec?.el?.isConnected) return this.setActive(id);
      id = rec?.view.parentId;
    }
    const first = this.topIds[0];
    this.activeId = undefined;
    if (first !== undefined) this.setActive(first);
  }

  private focusItem(el: HTMLElement | undefined): void {
    if (!el?.dataset.id) return;
    this.setActive(el.dataset.id);
    el.focus();
  }

  private onKey(e: KeyboardEvent): void {
    const item = e.target as HTMLElement;
    if (item.getAttribute('role') !== 'treeitem') return;
    const rec = this.nodes.get(item.dataset.id ?? '');
    if (!rec) return;
    const items = () => this.visibleItems();
    let handled = true;
    switch (e.key) {
      case 'ArrowDown': {
        const all = items();
        this.focusItem(all[all.indexOf(item) + 1]);
        break;
      }
      case 'ArrowUp': {
        const all = items();
        this.focusItem(all[all.indexOf(item) - 1]);
        break;
      }
      case 'ArrowRight':
        if (this.hasContent(rec) && !rec.expanded) this.toggle(rec);
        else if (rec.expanded && rec.childIds.length) this.focusItem(this.nodes.get(rec.childIds[0])?.el);
        break;
      case 'ArrowLeft':
        if (rec.expanded && this.hasContent(rec)) this.toggle(rec);
        else if (rec.view.parentId !== undefined) this.focusItem(this.nodes.get(rec.view.parentId)?.el);
        break;
      case 'Home':
        this.focusItem(items()[0]);
        break;
      case 'End':
        this.focusItem(items().at(-1));
        break;
      case 'Enter':
      case ' ':
        if (this.hasContent(rec)) this.toggle(rec);
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  }

  // ---- expand / collapse ----

  private toggle(rec: NodeRecord): void {
    rec.userToggled = true;
    this.setExpanded(rec, !rec.expanded);
  }

  private setExpanded(rec: NodeRecord, expanded: boolean): void {
    rec.expanded = expanded;
    if (!rec.el) return;
    if (expanded) {
      this.openContent(rec);
    } else {
      rec.detail?.remove();
      rec.children?.remove();
      for (const id of rec.childIds) this.forget(this.nodes.get(id)!);
      rec.detail = rec.children = undefined;
    }
    this.fillRow(rec);
    this.ensureTabStop();
  }

  /** Drops DOM references of a collapsed subtree (the data stays). */
  private forget(rec: NodeRecord): void {
    if (!rec.el) return;
    rec.el = rec.row = rec.detail = rec.children = undefined;
    for (const id of rec.childIds) this.forget(this.nodes.get(id)!);
  }

  private openContent(rec: NodeRecord): void {
    const el = rec.el!;
    rec.detail = this.buildDetail(rec);
    if (rec.detail) el.appendChild(rec.detail);
    const children = document.createElement('div');
    children.className = 'children';
    children.setAttribute('role', 'group');
    for (const id of rec.childIds) children.appendChild(this.build(this.nodes.get(id)!));
    el.appendChild(children);
    rec.children = children;
  }

  private hasContent(rec: NodeRecord): boolean {
    const v = rec.view;
    return rec.childIds.length > 0 || !!v.body || !!v.output || !!v.error;
  }

  // ---- rendering ----

  private refreshTwisty(rec: NodeRecord): void {
    const twisty = rec.row?.firstElementChild as HTMLElement | null;
    if (!twisty || twisty.textContent) return;
    this.fillRow(rec);
  }

  private childViews(rec: NodeRecord): NodeView[] {
    return rec.childIds.map((id) => this.nodes.get(id)!.view);
  }

  private descendantViews(rec: NodeRecord, out: NodeView[] = [], depth = 0): NodeView[] {
    if (depth > 64) return out;
    for (const id of rec.childIds) {
      const child = this.nodes.get(id)!;
      out.push(child.view);
      this.descendantViews(child, out, depth + 1);
    }
    return out;
  }

  /** A model reply whose code the CODE nodes beside it show, without that code. */
  private modelText(rec: NodeRecord): string | undefined {
    const body = rec.view.body;
    if (body === undefined) return undefined;
    const parent = rec.view.parentId !== undefined ? this.nodes.get(rec.view.parentId) : undefined;
    const hasCells = !!parent?.childIds.some((id) => this.nodes.get(id)?.view.kind === 'cell');
    return hasCells ? proseOf(body) : body;
  }

  private fillRow(rec: NodeRecord): void {
    const v = rec.view;
    const row = rec.row!;
    row.replaceChildren();
    const has = this.hasContent(rec);
    const twisty = document.createElement('span');
    twisty.className = 'twisty';
    twisty.setAttribute('aria-hidden', 'true');
    twisty.textContent = has ? (rec.expanded ? '▾' : '▸') : '';
    row.appendChild(twisty);
    const kind = document.createElement('span');
    kind.className = `kind`;
    kind.textContent = KIND_LABEL[v.kind];
    row.appendChild(kind);
    const title = document.createElement('span');
    title.className = 'title';
    title.textContent = this.titleOf(rec);
    row.appendChild(title);
    if (v.kind === 'iteration' && !rec.expanded) {
      const text = iterationSummary(this.childViews(rec), this.descendantViews(rec));
      if (text) {
        const summary = document.createElement('span');
        summary.className = 'summary';
        summary.textContent = `— ${text}`;
        title.appendChild(summary);
      }
    }
    const metrics = document.createElement('span');
    metrics.className = 'metrics';
    metrics.textContent = [formatMs(v.ms), formatTokens(v.tokens), formatCost(v.costUsd)].filter(Boolean).join(' · ');
    row.appendChild(metrics);
    const state = document.createElement('span');
    state.className = `state state-${v.state}`;
    state.textContent = v.state === 'running' ? '…' : v.state === 'error' ? '!' : '';
    if (v.state === 'error') state.title = 'error';
    row.appendChild(state);
    rec.el!.classList.toggle('is-error', v.state === 'error');
    rec.el!.classList.toggle('is-running', v.state === 'running');
    if (has) rec.el!.setAttribute('aria-expanded', String(rec.expanded));
    else rec.el!.removeAttribute('aria-expanded');
  }

  private titleOf(rec: NodeRecord): string {
    const v = rec.view;
    if (v.kind !== 'model' || v.body === undefined) return v.title;
    // "<model> replied: <first words>": the words of its prose, not the code shown below it.
    const at = v.title.indexOf(' replied: ');
    if (at < 0) return v.title;
    const text = (this.modelText(rec) ?? '').replace(/\s+/g, ' ').trim();
    return `${v.title.slice(0, at)} replied: ${text.length > 70 ? `${text.slice(0, 69)}…` : text}`;
  }

  private refresh(rec: NodeRecord): void {
    this.fillRow(rec);
    if (rec.expanded && rec.el) {
      const detail = this.buildDetail(rec);
      if (rec.detail && detail) rec.detail.replaceWith(detail);
      else if (detail) rec.el.insertBefore(detail, rec.children ?? null);
      else rec.detail?.remove();
      rec.detail = detail;
    }
  }

  private buildDetail(rec: NodeRecord): HTMLElement | undefined {
    const v = rec.view;
    const body = v.kind === 'model' ? this.modelText(rec) : v.body;
    if (!body && !v.output && !v.error) return undefined;
    const detail = document.createElement('div');
    detail.className = 'detail';
    const block = (cls: string, label: string, text: string, lang?: string) => {
      const pre = document.createElement('pre');
      pre.className = cls;
      pre.dataset.label = label;
      this.linker.setTextLazily(pre, text, lang);
      detail.appendChild(pre);
    };
    const bodyLabel = v.kind === 'cell' ? 'code' : v.kind === 'subcall' || v.kind === 'child' ? 'prompt' : 'text';
    if (body) block(`body body-${v.kind}`, bodyLabel, body, v.kind === 'cell' ? 'javascript' : undefined);
    if (body && v.kind === 'cell') addCopyButton(detail.lastElementChild as HTMLElement);
    if (v.output) block('output', v.kind === 'cell' ? 'output' : 'reply', v.output);
    if (v.error) block('error', 'error', v.error);
    return detail;
  }
}
