/** One sandbox pool per extension, created on the first run (it keeps a warm spare process) and
 *  disposed on deactivate. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SandboxProvider } from '../core/sandbox/types';

export class SandboxHost implements vscode.Disposable {
  private pool: SandboxProvider | undefined;

  constructor(private readonly extensionPath: string) {}

  async get(): Promise<SandboxProvider> {
    if (!this.pool) {
      const { SandboxPool } = await import('./engine');
      this.pool ??= new SandboxPool({ scriptPath: path.join(this.extensionPath, 'dist', 'sandbox.js') });
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
