// The core's sandbox pool, behind a function so SandboxHost can be constructed without starting it.
import { SandboxPool } from '../core/sandbox/pool';
import type { SandboxProvider } from '../core/sandbox/types';

export function loadSandboxPool(): new (options: { scriptPath: string }) => SandboxProvider {
  return SandboxPool;
}
