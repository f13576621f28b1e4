import { compareHits, hitBytes } from './grepTypes';
import type { GrepHit } from './types';

/** A folder of the matching files: its sub-folders and files, with the matches under each. */
interface Node {
  count: number;
  children: Map<string, Node>;
  /** Set on a file. */
  path?: string;
}

/** How many hits each file may show when there are more matches than `budget`: shared fairly down
 *  the folder tree (at each folder its sub-folders and files take equal shares, a share it cannot
 *  use goes to the others), so one test folder with thousands of matches cannot crowd out the one
 *  source file that matters, as the first N in path order would. Deterministic. */
export function spreadQuotas(counts: ReadonlyMap<string, number>, budget: number): Map<string, number> {
  const root: Node = { count: 0, children: new Map() };
  for (const [path, n] of counts) {
    if (n <= 0) continue;
    let node = root;
    node.count += n;
    for (const part of path.split('/')) {
      let child = node.children.get(part);
      if (!child) node.children.set(part, (child = { count: 0, children: new Map() }));
      child.count += n;
      node = child;
    }
    node.path = path;
  }
  const quotas = new Map<string, number>();
  const share = (node: Node, give: number) => {
    if (give <= 0) return;
    if (node.path !== undefined && node.children.size === 0) {
      quotas.set(node.path, give);
      return;
    }
    // Water-filling: smallest first, each takes min(its matches, an equal part of what is left).
    const kids = [...node.children.entries()].sort(([a, x], [b, y]) => x.count - y.count || (a < b ? -1 : a > b ? 1 : 0));
    let left = give;
    kids.forEach(([, kid], i) => {
      const part = Math.min(kid.count, Math.ceil(left / (kids.length - i)));
      share(kid, part);
      left -= part;
    });
  };
  share(root, Math.min(budget, root.count));
  return quotas;
}

/** Hits cut to `max` and `maxBytes`, spread the same way: every file's first hit before any
 *  file's second, and so on. Returned in path order; `cutByBytes` when the bytes cut them. */
export function spreadCut(hits: GrepHit[], max: number, maxBytes: number): { hits: GrepHit[]; cutByBytes: boolean } {
  const rank = new Map<GrepHit, number>();
  let prev = '';
  let r = 0;
  for (const h of [...hits].sort(compareHits)) {
    r = h.path === prev ? r + 1 : 0;
    prev = h.path;
    rank.set(h, r);
  }
  const order = [...hits].sort((a, b) => rank.get(a)! - rank.get(b)! || compareHits(a, b));
  const kept: GrepHit[] = [];
  let bytes = 0;
  let cutByBytes = false;
  for (const h of order) {
    if (kept.length >= max) break;
    const b = hitBytes(h);
    if (bytes + b > maxBytes) {
      cutByBytes = true;
      break;
    }
    bytes += b;
    kept.push(h);
  }
  return { hits: kept.sort(compareHits), cutByBytes };
}
