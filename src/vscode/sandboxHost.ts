/** One sandbox pool per extension, created on the first run (it keeps a warm spare process) and
 *  disposed on deactivate. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SandboxProvider } from '../core/sandbox/types';

/** The core's pool constructor (src/core/sandbox/pool.ts), loaded on the first run only. */
type PoolCtor = new (options: { scriptPath: string }) => SandboxProvider;

export class SandboxHost implements vscode.Disposable {
  private pool: SandboxProvider | undefined;

  constructor(
    private readonly extensionPath: string,
    private readonly loadPool: () => PoolCtor,
  ) {}

  get(): SandboxProvider {
    if (!this.pool) {
      const Pool = this.loadPool();
      this.pool = new Pool({ scriptPath: path.join(this.extensionPath, 'dist', 'sandbox.js') });
    }
    return this.pool;
  }

  async disposeAsync(): Promise<void> {
    const p = this.pool;
    this.pool = undefined;
    await p?.dispose();
  }

  dispose(): void {
    void this.disposeAsync();
  }
}
