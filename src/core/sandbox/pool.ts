import * as path from 'node:path';
import { RlmError } from '../errors';
import { SandboxProcess } from './process';
import { Session } from './session';
import {
  DEFAULT_SANDBOX_LIMITS,
  type SandboxLimits,
  type SandboxProvider,
  type SandboxSession,
  type SandboxSessionOptions,
} from './types';

const SPARE_DELAY_MS = 200;

export interface SandboxPoolOptions {
  /** The bundled sandbox entry (dist/sandbox.js); defaults to sandbox.js beside this bundle. */
  scriptPath?: string;
  limits?: Partial<SandboxLimits>;
}

/** Hands out sandbox sessions, each in its own process, and keeps one process warm (started,
 *  SES locked down, JIT warmed) so that a run's first cell does not wait for start-up. */
export class SandboxPool implements SandboxProvider {
  readonly scriptPath: string;
  readonly limits: SandboxLimits;
  private spare: SandboxProcess | undefined;
  private readonly sessions = new Set<Session>();
  private disposed = false;

  constructor(options: SandboxPoolOptions = {}) {
    this.scriptPath = options.scriptPath ?? path.join(__dirname, 'sandbox.js');
    this.limits = { ...DEFAULT_SANDBOX_LIMITS, ...options.limits };
    this.warm();
  }

  /** Starts the spare process if there is none. */
  warm(): void {
    if (this.disposed || this.spare?.alive) return;
    this.spare = new SandboxProcess({ scriptPath: this.scriptPath, heapMb: this.limits.heapMb });
  }

  /** Resolves once the spare process is started and warmed (e.g. before a benchmark). */
  async whenWarm(): Promise<void> {
    this.warm();
    await this.spare?.ready.catch(() => undefined);
  }

  /** A started process: the spare when it fits, else a new one; a new spare starts behind it. */
  async take(heapMb: number): Promise<SandboxProcess> {
    if (this.disposed) throw new RlmError('the sandbox pool is closed', 'sandbox-closed');
    let proc = this.spare;
    if (proc?.alive && proc.options.heapMb === heapMb) this.spare = undefined;
    else proc = new SandboxProcess({ scriptPath: this.scriptPath, heapMb });
    // The next spare starts a little later: forking blocks this thread for a few milliseconds
    // and its start-up competes for CPU with the session's first cell.
    setTimeout(() => this.warm(), SPARE_DELAY_MS).unref();
    try {
      await proc.ready;
      return proc;
    } catch {
      // A spare may have died while waiting (e.g. the OS reclaimed it): one fresh try.
      const fresh = new SandboxProcess({ scriptPath: this.scriptPath, heapMb });
      try {
        await fresh.ready;
        return fresh;
      } catch {
        throw new RlmError('the sandbox process could not start', 'sandbox-start');
      }
    }
  }

  async openSession(options: SandboxSessionOptions): Promise<SandboxSession> {
    const limits = { ...this.limits, ...options.limits };
    const session = new Session(this, options, limits, (s) => this.sessions.delete(s));
    await session.start();
    this.sessions.add(session);
    return session;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.spare?.kill();
    this.spare = undefined;
    await Promise.all([...this.sessions].map((s) => s.dispose()));
  }
}
