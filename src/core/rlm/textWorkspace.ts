import { RlmError } from '../errors';
import type { DirEntry, FileSource, FileStat } from '../workspace/types';
import { scanWorkspace } from '../workspace';
import type { WorkspaceAccess } from '../workspace/types';

/** The file a child run's `text` appears as in its own `context`. */
export const CHILD_TEXT_FILE = 'input.txt';

/** Largest `text` a child run accepts (rlm_query's prompt cap applies first). */
const MAX_CHILD_TEXT_BYTES = 64 * 1024 * 1024;

/** A FileSource holding a few in-memory files; lets a child RLM read its `text` with the same
 *  endowments (readFile, grep) as a real workspace. */
export class MemoryFileSource implements FileSource {
  private readonly files: Map<string, Uint8Array>;

  constructor(files: Record<string, string>) {
    this.files = new Map(Object.entries(files).map(([k, v]) => [k, Buffer.from(v, 'utf8')]));
  }

  async readDir(relPath: string): Promise<DirEntry[]> {
    if (relPath !== '' && relPath !== '.') throw new RlmError(`not a directory: ${relPath}`, 'not-found');
    return [...this.files.keys()].map((name) => ({ name, kind: 'file' as const }));
  }

  async lstat(relPath: string): Promise<FileStat> {
    if (relPath === '' || relPath === '.') return { kind: 'directory', size: 0, mtimeMs: 0 };
    const f = this.files.get(relPath);
    if (!f) throw new RlmError(`not found: ${relPath}`, 'not-found');
    return { kind: 'file', size: f.byteLength, mtimeMs: 0 };
  }

  async realpath(relPath: string): Promise<string | undefined> {
    return relPath === '' || relPath === '.' || this.files.has(relPath) ? relPath : undefined;
  }

  async readFile(relPath: string, maxBytes: number): Promise<Uint8Array> {
    const f = this.files.get(relPath);
    if (!f) throw new RlmError(`not found: ${relPath}`, 'not-found');
    return f.subarray(0, maxBytes);
  }
}

export async function textWorkspace(text: string): Promise<WorkspaceAccess> {
  return scanWorkspace([{ name: 'text', source: new MemoryFileSource({ [CHILD_TEXT_FILE]: text }) }], {
    maxFileBytes: MAX_CHILD_TEXT_BYTES,
  });
}
