/**
 * The live recursion tree. Holds every node as data and builds DOM only for what is visible:
 * a node's children and details exist only while it is expanded, so thousands of nodes stay cheap.
 * Iterations before the current one collapse as new ones arrive, unless the user opened them.
 */
import type { NodeKind, NodeView } from '../src/panelProtocol';
import { formatCost, formatMs, formatTokens } from './format';
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

export class RecursionTree {
  private readonly nodes = new Map<string, NodeRecord>();
  private readonly topIds: string[] = [];
  private currentIterationId: string | undefined;

  constructor(
    private readonly root: HTMLElement,
    private readonly linker: RefLinker,
  ) {
    root.setAttribute('role', 'tree');
  }

  get size(): number {
    return this.nodes.size;
  }

  clear(): void {
    this.nodes.clear();
    this.topIds.length = 0;
    this.currentIterationId = undefined;
    this.root.replaceChildren();
  }

  /** Adds or updates nodes, in order. */
  upsert(views: NodeView[]): void {
    const appendTop = document.createDocumentFragment();
    for (const view of views) {
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
        if (parent.el) this.refreshTwisty(parent);
        if (parent.expanded && parent.children) parent.children.appendChild(this.build(rec));
      }
    }
    if (appendTop.childNodes.length) this.root.appendChild(appendTop);
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

  private build(rec: NodeRecord): HTMLElement {
    const el = document.createElement('div');
    el.className = `node kind-${rec.view.kind}`;
    el.setAttribute('role', 'treeitem');
    el.dataset.id = rec.view.id;
    const row = document.createElement('div');
    row.className = 'row';
    row.tabIndex = 0;
    row.addEventListener('click', (e) => {
      if ((e.target as HTMLElement).closest('.ref.verified')) return;
      this.toggle(rec);
    });
    row.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        this.toggle(rec);
      } else if (e.key === 'ArrowRight' && !rec.expanded) {
        this.toggle(rec);
      } else if (e.key === 'ArrowLeft' && rec.expanded) {
        this.toggle(rec);
      }
    });
    el.appendChild(row);
    rec.el = el;
    rec.row = row;
    this.fillRow(rec);
    if (rec.expanded) this.openContent(rec);
    return el;
  }

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
    this.refreshTwisty(rec);
  }

  /** Drops DOM references of a collapsed subtree (the data stays). */
  private forget(rec: NodeRecord): void {
    if (!rec.el) return;
    rec.el = rec.row = rec.detail = rec.children = undefined;
    for (const id of rec.childIds) this.forget(this.nodes.get(id)!);
  }

  private openContent(rec: NodeRecord): void {
    const el = rec.el!;
    rec.detail = this.buildDetail(rec.view);
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

  private refreshTwisty(rec: NodeRecord): void {
    const twisty = rec.row?.firstElementChild as HTMLElement | null;
    if (!twisty) return;
    const has = this.hasContent(rec);
    twisty.textContent = has ? (rec.expanded ? '▾' : '▸') : '';
    if (has) rec.el!.setAttribute('aria-expanded', String(rec.expanded));
    else rec.el!.removeAttribute('aria-expanded');
  }

  private fillRow(rec: NodeRecord): void {
    const v = rec.view;
    const row = rec.row!;
    row.replaceChildren();
    const twisty = document.createElement('span');
    twisty.className = 'twisty';
    row.appendChild(twisty);
    const kind = document.createElement('span');
    kind.className = `kind`;
    kind.textContent = KIND_LABEL[v.kind];
    row.appendChild(kind);
    const title = document.createElement('span');
    title.className = 'title';
    title.textContent = v.title;
    row.appendChild(title);
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
    this.refreshTwisty(rec);
  }

  private refresh(rec: NodeRecord): void {
    this.fillRow(rec);
    if (rec.expanded && rec.el) {
      const detail = this.buildDetail(rec.view);
      if (rec.detail && detail) rec.detail.replaceWith(detail);
      else if (detail) rec.el.insertBefore(detail, rec.children ?? null);
      else rec.detail?.remove();
      rec.detail = detail;
    }
  }

  private buildDetail(v: NodeView): HTMLElement | undefined {
    if (!v.body && !v.output && !v.error) return undefined;
    const detail = document.createElement('div');
    detail.className = 'detail';
    const block = (cls: string, label: string, text: string) => {
      const pre = document.createElement('pre');
      pre.className = cls;
      pre.dataset.label = label;
      this.linker.setTextLazily(pre, text);
      detail.appendChild(pre);
    };
    const bodyLabel = v.kind === 'cell' ? 'code' : v.kind === 'subcall' || v.kind === 'child' ? 'prompt' : 'text';
    if (v.body) block(`body body-${v.kind}`, bodyLabel, v.body);
    if (v.output) block('output', v.kind === 'cell' ? 'output' : 'reply', v.output);
    if (v.error) block('error', 'error', v.error);
    return detail;
  }
}
