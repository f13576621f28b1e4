/**
 * What a panel's reference checks ask: is this workspace path a file the run could read?
 * - A live run asks its scanned Workspace.
 * - A finished run keeps only the set of its paths (PathSet), so its Workspace and content cache
 *   (up to 64 MiB) are not retained by every open panel.
 * - A run reopened from history has no scan: NameRules (nameRules.ts) applies the core's rules by name.
 * No vscode import: unit-tested directly.
 */
import { normalizeModelPath } from '../../core/workspace/modelPath';

export interface FileSet {
  hasFile(path: string): boolean | Promise<boolean>;
}

export function normalized(path: string): string | undefined {
  try {
    return normalizeModelPath(path);
  } catch {
    return undefined;
  }
}

export class PathSet implements FileSet {
  private readonly paths: ReadonlySet<string>;

  constructor(paths: Iterable<string>) {
    this.paths = new Set(paths);
  }

  hasFile(path: string): boolean {
    const p = normalized(path);
    return p !== undefined && this.paths.has(p);
  }
}

/** Refuses every path: a reopened run whose workspace is not the open one. */
export const NO_FILES: FileSet = { hasFile: () => false };
