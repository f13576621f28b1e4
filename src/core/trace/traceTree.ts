import type { CellOutputEvent, RunEndEvent, SubcallEndEvent, TraceEvent } from './types';

/** An end event, folded into the node it closes rather than shown as a child. */
export type EndEvent = CellOutputEvent | SubcallEndEvent | RunEndEvent;

export interface TraceNode {
  event: TraceEvent;
  children: TraceNode[];
  /** cell.output for a cell.start, subcall.end for a subcall.start, run.end for a run.start. */
  end?: EndEvent;
}

/**
 * The recursion tree rebuilt from the event stream by id/parentId, for the panel and history.
 * Conventions: cell.output names its cell in `cellId`, subcall.end its start in `subcallId`,
 * run.end has the run.start as parent; everything else hangs under its parentId, ordered by ts
 * (ties keep arrival order, so a live stream only ever appends).
 * Events whose parent has not arrived yet wait and are attached when it does.
 */
export class TraceTree {
  private readonly nodes = new Map<string, TraceNode>();
  private readonly roots: TraceNode[] = [];
  /** Children and end events waiting for a parent that has not arrived, by the parent's id. */
  private readonly orphans = new Map<string, TraceEvent[]>();
  private count = 0;

  static fromEvents(events: Iterable<TraceEvent>): TraceTree {
    const tree = new TraceTree();
    for (const e of events) tree.add(e);
    return tree;
  }

  /** The first top-level run.start (the run itself). */
  get root(): TraceNode | undefined {
    return this.roots.find((n) => n.event.type === 'run.start') ?? this.roots[0];
  }

  /** Top-level nodes in arrival order (normally one run.start). */
  get topLevel(): readonly TraceNode[] {
    return this.roots;
  }

  /** Events added so far (including ones still waiting for a parent). */
  get size(): number {
    return this.count;
  }

  get(id: string): TraceNode | undefined {
    return this.nodes.get(id);
  }

  /** Ids of parents referred to but never seen (a damaged or partial trajectory). */
  missingParents(): string[] {
    return [...this.orphans.keys()];
  }

  /** Adds one event; returns the node it created or completed (undefined while it waits for its parent). */
  add(event: TraceEvent): TraceNode | undefined {
    this.count++;
    const target = endTarget(event);
    if (target !== undefined) {
      const owner = this.nodes.get(target);
      if (!owner) return this.wait(target, event);
      owner.end = event as EndEvent;
      return owner;
    }
    if (this.nodes.has(event.id)) return this.nodes.get(event.id); // duplicate line: keep the first
    const node: TraceNode = { event, children: [] };
    const parentId = event.parentId;
    if (parentId === undefined) insertByTime(this.roots, node);
    else {
      const parent = this.nodes.get(parentId);
      if (!parent) {
        this.wait(parentId, event);
        return undefined;
      }
      insertByTime(parent.children, node);
    }
    this.nodes.set(event.id, node);
    this.adoptOrphans(event.id);
    return node;
  }

  private wait(parentId: string, event: TraceEvent): undefined {
    const list = this.orphans.get(parentId) ?? [];
    list.push(event);
    this.orphans.set(parentId, list);
    return undefined;
  }

  private adoptOrphans(id: string): void {
    const waiting = this.orphans.get(id);
    if (!waiting) return;
    this.orphans.delete(id);
    for (const e of waiting) {
      this.count--; // add() counts it again
      this.add(e);
    }
  }
}

/** The id of the start event an end event closes, or undefined for a node event. */
function endTarget(e: TraceEvent): string | undefined {
  switch (e.type) {
    case 'cell.output':
      return e.cellId ?? e.parentId;
    case 'subcall.end':
      return e.subcallId ?? e.parentId;
    case 'run.end':
      return e.parentId;
    default:
      return undefined;
  }
}

/** Appends, unless the node is older than the last sibling (it arrived late): then in ts order. */
function insertByTime(list: TraceNode[], node: TraceNode): void {
  let i = list.length;
  while (i > 0 && list[i - 1].event.ts > node.event.ts) i--;
  list.splice(i, 0, node);
}
