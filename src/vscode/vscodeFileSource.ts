/**
 * FileSource over `vscode.workspace.fs`, so remote, WSL and virtual workspaces work. On the local
 * disk (`file:`) it also names `localRoot` so the core can run ripgrep and resolve symlinks.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RlmError } from '../core/errors';
import { hardLinkError } from '../core/workspace/nodeFileSource';
import type { DirEntry, EntryKind, FileSource, FileStat, ReadOptions } from '../core/workspace/types';

function kindOf(type: vscode.FileType): EntryKind {
  if (type & vscode.FileType.SymbolicLink) return 'symlink';
  if (type & vscode.FileType.Directory) return 'directory';
  if (type & vscode.FileType.File) return 'file';
  return 'other';
}

function splitRel(relPath: string): string[] {
  return relPath.split('/').filter((s) => s !== '' && s !== '.');
}

export class VscodeFileSource implements FileSource {
  readonly localRoot?: string;

  constructor(readonly root: vscode.Uri) {
    if (root.scheme === 'file') this.localRoot = root.fsPath;
  }

  private uri(relPath: string): vscode.Uri {
    const parts = splitRel(relPath);
    if (parts.some((p) => p === '..')) throw new RlmError(`${relPath}: path outside the workspace`, 'path-outside');
    return parts.length ? vscode.Uri.joinPath(this.root, ...parts) : this.root;
  }

  async readDir(relPath: string): Promise<DirEntry[]> {
    const entries = await vscode.workspace.fs.readDirectory(this.uri(relPath));
    return entries.map(([name, type]) => ({ name, kind: kindOf(type) }));
  }

  async lstat(relPath: string): Promise<FileStat> {
    if (this.localRoot !== undefined) {
      const st = await fs.promises.lstat(path.join(this.localRoot, ...splitRel(relPath)));
      const kind: EntryKind = st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'directory' : st.isFile() ? 'file' : 'other';
      return { kind, size: st.size, mtimeMs: st.mtimeMs, links: st.nlink };
    }
    const st = await vscode.workspace.fs.stat(this.uri(relPath));
    return { kind: kindOf(st.type), size: st.size, mtimeMs: st.mtime };
  }

  async realpath(relPath: string): Promise<string | undefined> {
    if (this.localRoot !== undefined) {
      try {
        const root = await fs.promises.realpath(this.localRoot);
        const real = await fs.promises.realpath(path.join(this.localRoot, ...splitRel(relPath)));
        const rel = path.relative(root, real);
        if (rel === '') return '';
        if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
        return rel.split(path.sep).join('/');
      } catch {
        return undefined;
      }
    }
    // No realpath on virtual file systems: only non-links resolve (to themselves).
    try {
      const st = await vscode.workspace.fs.stat(this.uri(relPath));
      return st.type & vscode.FileType.SymbolicLink ? undefined : splitRel(relPath).join('/');
    } catch {
      return undefined;
    }
  }

  async readFile(relPath: string, maxBytes: number, options: ReadOptions = {}): Promise<Uint8Array> {
    const uri = this.uri(relPath);
    if (this.localRoot !== undefined) {
      // Local disk: refuse FIFOs and devices before opening (a FIFO read would block).
      const st = await fs.promises.stat(uri.fsPath);
      if (!st.isFile()) throw new RlmError(`${relPath}: not a regular file`, 'not-regular');
      // Another name of the same file may be a secret the scan cannot see (see ReadOptions).
      if (options.singleLink && st.nlink > 1) throw hardLinkError(relPath, st.nlink);
    } else {
      const st = await vscode.workspace.fs.stat(uri);
      if (!(st.type & vscode.FileType.File)) throw new RlmError(`${relPath}: not a regular file`, 'not-regular');
    }
    const bytes = await vscode.workspace.fs.readFile(uri);
    return bytes.length > maxBytes ? bytes.subarray(0, maxBytes) : bytes;
  }
}
