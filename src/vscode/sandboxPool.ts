// Placeholder until src/core/sandbox/pool.ts lands: replaced by a direct import of SandboxPool.
import type { SandboxProvider } from '../core/sandbox/types';
import { RlmError } from '../core/errors';

export function loadSandboxPool(): new (options: { scriptPath: string }) => SandboxProvider {
  throw new RlmError('The sandbox is not built yet in this version.', 'no-sandbox');
}
