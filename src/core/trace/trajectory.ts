import * as fs from 'node:fs';
import * as path from 'node:path';
import { isLiveOnly, type TraceEvent } from './types';

/**
 * Appends a run's events to a JSONL file, one event per line, as they happen: a crash loses at
 * most the line being written, and the size grows with the work done, never with the history
 * repeated per line. One fd, synchronous appends without fsync (ordering without a queue; the OS
 * flushes). A failed write is remembered in `error` and stops writing; it never throws into the run.
 * It writes events as it gets them: a run's events are redacted once, by its TraceEmitter.
 */
export class TrajectoryWriter {
  private fd: number | undefined;
  private written = 0;
  error: string | undefined;

  private constructor(
    readonly file: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  static async open(file: string): Promise<TrajectoryWriter> {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const fd = fs.openSync(file, 'a');
    const writer = new TrajectoryWriter(file, fd);
    // A previous writer that crashed mid-line: start on a fresh line so that line stays the only damage.
    const size = fs.fstatSync(fd).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      const rfd = fs.openSync(file, 'r');
      try {
        fs.readSync(rfd, last, 0, 1, size - 1);
      } finally {
        fs.closeSync(rfd);
      }
      if (last[0] !== 0x0a) writer.write('\n');
    }
    return writer;
  }

  /** Bytes appended by this writer. */
  get bytes(): number {
    return this.written;
  }

  /** Appends one event; a live-only event (model.delta) is never stored: the model.response holds its text. */
  append(event: TraceEvent): void {
    if (isLiveOnly(event)) return;
    // JSON.stringify escapes newlines inside strings, so one event is exactly one line.
    this.write(`${JSON.stringify(event)}\n`);
  }

  private write(text: string): void {
    if (this.fd === undefined || this.error) return;
    try {
      const buf = Buffer.from(text, 'utf8');
      let off = 0;
      while (off < buf.length) off += fs.writeSync(this.fd, buf, off, buf.length - off);
      this.written += buf.length;
    } catch (err) {
      this.error = `cannot write the trajectory: ${(err as NodeJS.ErrnoException).code ?? 'write failed'}`;
    }
  }

  async close(): Promise<void> {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    await new Promise<void>((resolve) => fs.close(fd, () => resolve()));
  }
}

export interface TrajectoryRead {
  events: TraceEvent[];
  /** One line per skipped line (damaged JSON, not an event), e.g. a truncated last line after a crash. */
  warnings: string[];
}

/** Parses JSONL text; damaged lines are skipped with a warning, never fatal. */
export function parseTrajectory(text: string): TrajectoryRead {
  const events: TraceEvent[] = [];
  const warnings: string[] = [];
  const lines = text.split('\n');
  const endsClean = text.endsWith('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const last = i === lines.length - 1 && !endsClean;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      warnings.push(last ? `line ${i + 1}: truncated last line skipped` : `line ${i + 1}: damaged line skipped`);
      return;
    }
    if (!isEvent(value)) {
      warnings.push(`line ${i + 1}: not a trace event, skipped`);
      return;
    }
    events.push(value);
  });
  return { events, warnings };
}

export async function readTrajectory(file: string): Promise<TrajectoryRead> {
  return parseTrajectory(await fs.promises.readFile(file, 'utf8'));
}

function isEvent(v: unknown): v is TraceEvent {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const e = v as Record<string, unknown>;
  return typeof e.type === 'string' && typeof e.id === 'string' && typeof e.ts === 'number';
}
