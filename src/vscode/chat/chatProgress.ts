/** What `@rlm` reports with `stream.progress(...)` while a run works: the scan, each iteration of the
 *  top run, child runs, and the sub-calls so far (at most one sub-call line per `everyMs`, so a batch of
 *  200 is a few lines, not 200). Pure: fed trace events and the time. */
import type { TraceEvent } from '../../core/trace/types';

export class ChatProgress {
  private topId: string | undefined;
  private iteration = '';
  private subcalls = 0;
  private lastSubcallLine = -Infinity;

  constructor(private readonly everyMs = 1000) {}

  /** The line to show after `event`, if it says something new. */
  line(event: TraceEvent, now: number): string | undefined {
    switch (event.type) {
      case 'run.start':
        if (event.parentId !== undefined) return undefined;
        this.topId = event.id;
        return event.workspace ? `Scanned ${event.workspace.files} files; asking ${event.rootModel}…` : undefined;
      case 'iteration.start':
        if (event.parentId !== this.topId) return undefined;
        this.iteration = `Iteration ${event.iteration}/${event.maxIterations}`;
        return `${this.iteration}${this.subcalls ? ` · ${this.count()} so far` : ''}`;
      case 'child.start':
        return `${this.prefix()}child run (depth ${event.depth})…`;
      case 'subcall.start':
        this.subcalls++;
        if (now - this.lastSubcallLine < this.everyMs) return undefined;
        this.lastSubcallLine = now;
        return `${this.prefix()}${this.count()} (${event.kind})…`;
      default:
        return undefined;
    }
  }

  private count(): string {
    return `${this.subcalls} sub-call${this.subcalls === 1 ? '' : 's'}`;
  }

  private prefix(): string {
    return this.iteration ? `${this.iteration} · ` : '';
  }
}
