import { Redactor } from './redact';
import type { TraceEvent } from './types';

export type TraceListener = (event: TraceEvent) => void;

/**
 * The one door events leave a run through: each event is redacted once, here, and the same clean
 * copy goes to every listener (TrajectoryWriter, the panel's view model, the CLI), so none can see a secret.
 */
export class TraceEmitter {
  private readonly listeners = new Set<TraceListener>();
  private readonly redactor: Redactor;

  constructor(secrets: Iterable<string | undefined | null> = []) {
    this.redactor = new Redactor(secrets);
  }

  on(listener: TraceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Redacts and delivers; a failing listener does not stop the others or the run. Returns the clean event. */
  emit(event: TraceEvent): TraceEvent {
    const clean = this.redactor.value(event);
    for (const l of this.listeners) {
      try {
        l(clean);
      } catch {
        /* a display or disk problem must not end the run */
      }
    }
    return clean;
  }
}
