import { randomBytes } from 'node:crypto';
import type { TraceEvent, TraceEventType } from './types';

/** The event of one type, and what a caller supplies for it (the factory adds id, parentId, ts). */
export type EventOf<K extends TraceEventType> = Extract<TraceEvent, { type: K }>;
export type EventFields<K extends TraceEventType> = Omit<EventOf<K>, 'id' | 'parentId' | 'ts' | 'type'>;

/**
 * Event ids unique within one trajectory. A run and all its child runs share one instance,
 * because they write into the same trajectory and the tree is rebuilt from id/parentId alone.
 */
export class EventIds {
  private n = 0;
  constructor(private readonly prefix = '') {}
  next(): string {
    return `${this.prefix}${(++this.n).toString(36)}`;
  }
}

/** A run id that sorts by start time and is safe as a file name: 20261121T125800Z-3f9a1c. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** A conversation id (shared by the runs of its questions): `conv-` and a run id's form. */
export function newConversationId(now = new Date()): string {
  return `conv-${newRunId(now)}`;
}

/** Builds well-formed events: fresh id, timestamp, parent link. */
export class TraceEventFactory {
  constructor(
    readonly ids = new EventIds(),
    private readonly now: () => number = Date.now,
  ) {}

  make<K extends TraceEventType>(type: K, parentId: string | undefined, fields: EventFields<K>): EventOf<K> {
    const event = { ...fields, type, id: this.ids.next(), ts: this.now() } as Record<string, unknown>;
    if (parentId !== undefined) event.parentId = parentId;
    return event as unknown as EventOf<K>;
  }
}
