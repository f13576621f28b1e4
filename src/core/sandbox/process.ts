import { fork, type ChildProcess } from 'node:child_process';
import type { ChildMessage, HostMessage } from './sandboxIpc';

/** One sandbox OS process: forked with an empty environment and a heap limit, killed with SIGKILL. */

export interface SpawnOptions {
  scriptPath: string;
  heapMb: number;
}

const STDERR_KEEP = 4096;

/** The sandbox's whole environment. In VS Code, execPath is Electron: ELECTRON_RUN_AS_NODE=1 must
 *  be the only variable, else it starts as an app. Elsewhere the child gets no variable at all. */
export function sandboxEnv(versions: NodeJS.ProcessVersions | Record<string, string | undefined>): NodeJS.ProcessEnv {
  return versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {};
}

export class SandboxProcess {
  readonly ready: Promise<void>;
  private readonly child: ChildProcess;
  private listeners = new Set<(msg: ChildMessage) => void>();
  private exitListeners = new Set<() => void>();
  private stderrTail = '';
  private exited = false;

  constructor(readonly options: SpawnOptions) {
    this.child = fork(options.scriptPath, [], {
      env: sandboxEnv(process.versions),
      execArgv: [`--max-old-space-size=${options.heapMb}`],
      // V8's serialiser, not JSON: a file's text crosses as its characters (1 or 2 bytes each),
      // where JSON escapes control characters to 6 bytes (a 1 MB file of U+0001 became 6 MB per
      // reply). Both ends are our code; the host still checks every message's shape.
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (s: string) => {
      this.stderrTail = (this.stderrTail + s).slice(-STDERR_KEEP);
    });
    this.child.on('message', (m: unknown) => {
      if (!m || typeof m !== 'object' || typeof (m as { t?: unknown }).t !== 'string') return;
      for (const l of [...this.listeners]) l(m as ChildMessage);
    });
    this.ready = new Promise<void>((resolve, reject) => {
      const onMsg = (m: ChildMessage) => {
        if (m.t !== 'ready') return;
        this.listeners.delete(onMsg);
        resolve();
      };
      this.listeners.add(onMsg);
      this.onExit(() => reject(new Error('sandbox process exited during start-up')));
    });
    this.ready.catch(() => undefined);
    this.child.on('error', () => this.kill());
    this.child.on('exit', () => {
      this.exited = true;
      for (const l of [...this.exitListeners]) l();
      this.exitListeners.clear();
      this.listeners.clear();
    });
    this.unref();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** The last lines the child wrote to stderr (V8's fatal OOM report lands here). */
  get stderr(): string {
    return this.stderrTail;
  }

  /** `written` runs once the message has left this process (or could not be sent). */
  send(msg: HostMessage, written?: () => void): void {
    if (this.exited || !this.child.connected) return written?.();
    this.child.send(msg, (err) => {
      if (err) this.kill();
      written?.();
    });
  }

  onMessage(l: (msg: ChildMessage) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  onExit(l: () => void): () => void {
    if (this.exited) {
      queueMicrotask(l);
      return () => undefined;
    }
    this.exitListeners.add(l);
    return () => this.exitListeners.delete(l);
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  /** Keeps the host's event loop alive while a session uses this process. */
  ref(): void {
    this.child.ref();
    (this.child as unknown as { channel?: { ref?(): void } }).channel?.ref?.();
  }

  /** A spare process must not keep a CLI or a test run from exiting. */
  unref(): void {
    this.child.unref();
    (this.child as unknown as { channel?: { unref?(): void } }).channel?.unref?.();
  }
}
