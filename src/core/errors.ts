/**
 * An error whose message is safe to show to model code, the user, a trace and a log:
 * it names workspace-relative paths only and never carries a host path, a stack or a secret.
 */
export class RlmError extends Error {
  constructor(
    message: string,
    /** Stable machine-readable cause, e.g. 'path-outside', 'limit-output', 'http-401'. */
    readonly code: string,
  ) {
    super(message);
    this.name = 'RlmError';
  }
}

/** Message of any thrown value, safe to show: RlmError messages pass, anything else becomes generic. */
export function safeMessage(err: unknown, fallback = 'internal error'): string {
  if (err instanceof RlmError) return err.message;
  return fallback;
}
