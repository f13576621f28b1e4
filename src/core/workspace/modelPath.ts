import { RlmError } from '../errors';

export const MAX_PATH_CHARS = 1024;

// C0 and C1 controls, DEL, and bidi overrides never occur in a path a model means honestly.
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Validates a workspace-relative path that came from model code and returns it normalised
 *  (POSIX, no `.`, no empty segments). Throws an RlmError for anything else. */
export function normalizeModelPath(input: unknown): string {
  if (typeof input !== 'string') throw new RlmError('path must be a string', 'path-invalid');
  if (input.length === 0) throw new RlmError('path is empty', 'path-invalid');
  if (input.length > MAX_PATH_CHARS) {
    throw new RlmError(`path is longer than ${MAX_PATH_CHARS} characters`, 'path-invalid');
  }
  if (FORBIDDEN.test(input)) throw new RlmError('path contains control characters', 'path-invalid');
  if (input.startsWith('/') || input.startsWith('~')) {
    throw new RlmError('path must be relative to the workspace (no leading "/" or "~")', 'path-outside');
  }
  if (input.includes('\\')) throw new RlmError('path must use "/" separators, not "\\"', 'path-invalid');
  if (input.includes(':')) throw new RlmError('path must not contain ":"', 'path-invalid');
  const out: string[] = [];
  for (const seg of input.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) throw new RlmError('path leads outside the workspace', 'path-outside');
      out.pop();
    } else {
      out.push(seg);
    }
  }
  if (out.length === 0) throw new RlmError('path names the workspace itself, not a file', 'path-invalid');
  return out.join('/');
}

/** Splits a file reference `path`, `path:line` or `path:start-end` into its path. */
export function stripLineSuffix(ref: string): string {
  const m = /^(.*?):\d+(?:-\d+)?$/.exec(ref);
  return m ? m[1] : ref;
}
