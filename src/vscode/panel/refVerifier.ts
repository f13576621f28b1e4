/** Checks file references from the panel against the workspace before they become links, and
 *  opens verified ones in the editor. Paths are workspace-relative (root-name-prefixed when multi-root). */
import * as vscode from 'vscode';
import type { RefIndex } from '../../fileRefs';
import { PROTOCOL_LIMITS, type FileRef } from '../../panelProtocol';
import type { FileSet } from './fileSets';

const MAX_LINE_COUNT_BYTES = 8 * 1024 * 1024;

export class RefVerifier {
  private readonly lineCounts = new Map<string, Promise<number | undefined>>();

  /** `access` (a live run's workspace, a finished run's paths, or name rules for a reopened run)
   *  also refuses excluded and secret files. `index` (the run's map) lets a path without its
   *  folders or root name open the one mapped file it ends. */
  constructor(
    private readonly access?: FileSet,
    private readonly index?: RefIndex,
  ) {}

  static isWellFormed(ref: unknown): ref is FileRef {
    if (!ref || typeof ref !== 'object') return false;
    const r = ref as FileRef;
    if (typeof r.path !== 'string' || r.path.length === 0 || r.path.length > PROTOCOL_LIMITS.pathChars) return false;
    if (r.path.startsWith('/') || r.path.startsWith('~') || /[\\:\0]/.test(r.path)) return false;
    if (r.path.split('/').some((s) => s === '..' || s === '.')) return false;
    for (const n of [r.line, r.endLine]) if (n !== undefined && (!Number.isInteger(n) || n < 1)) return false;
    if (r.endLine !== undefined && (r.line === undefined || r.endLine < r.line)) return false;
    return true;
  }

  async resolve(ref: FileRef): Promise<vscode.Uri | undefined> {
    if (!RefVerifier.isWellFormed(ref)) return undefined;
    const folders = vscode.workspace.workspaceFolders ?? [];
    const candidates: vscode.Uri[] = [];
    if (folders.length > 1) {
      const [first, ...rest] = ref.path.split('/');
      const folder = folders.find((f) => f.name === first);
      if (folder && rest.length) candidates.push(vscode.Uri.joinPath(folder.uri, ...rest));
    }
    for (const f of folders) candidates.push(vscode.Uri.joinPath(f.uri, ...ref.path.split('/')));
    for (const uri of candidates) {
      try {
        const stat = await vscode.workspace.fs.stat(uri);
        if (stat.type & vscode.FileType.File) return uri;
      } catch {
        // try the next root
      }
    }
    return undefined;
  }

  /** The reference as it opens (its path completed by the map when it named one file by suffix),
   *  or undefined when it does not verify. */
  async check(asked: FileRef): Promise<FileRef | undefined> {
    if (!RefVerifier.isWellFormed(asked)) return undefined;
    const path = this.index?.resolvePath(asked.path);
    const ref = path && path !== asked.path ? { ...asked, path } : asked;
    return (await this.verify(ref)) ? ref : undefined;
  }

  /** Checks refs as the panel asks: verified flags, and the full path of those found by suffix. */
  async checkAll(refs: unknown[]): Promise<{ verified: boolean[]; paths: Array<string | null> }> {
    const found = await Promise.all(refs.slice(0, PROTOCOL_LIMITS.refsPerRequest).map((r) => (RefVerifier.isWellFormed(r) ? this.check(r) : undefined)));
    return {
      verified: found.map((f) => f !== undefined),
      paths: found.map((f, i) => (f && f.path !== (refs[i] as FileRef).path ? f.path : null)),
    };
  }

  async verify(ref: FileRef): Promise<boolean> {
    if (!RefVerifier.isWellFormed(ref)) return false;
    if (this.access && !(await this.access.hasFile(ref.path))) return false;
    const uri = await this.resolve(ref);
    if (!uri) return false;
    if (ref.line === undefined) return true;
    const lines = await this.lineCount(uri);
    if (lines === undefined) return false;
    return ref.line <= lines && (ref.endLine ?? ref.line) <= lines;
  }

  async verifyAll(refs: unknown[]): Promise<boolean[]> {
    return Promise.all(refs.slice(0, PROTOCOL_LIMITS.refsPerRequest).map((r) => (RefVerifier.isWellFormed(r) ? this.verify(r) : false)));
  }

  async open(asked: FileRef, besideColumn?: vscode.ViewColumn): Promise<boolean> {
    const ref = await this.check(asked);
    if (!ref) return false;
    const uri = (await this.resolve(ref))!;
    const line = Math.max(0, (ref.line ?? 1) - 1);
    const end = Math.max(line, (ref.endLine ?? ref.line ?? 1) - 1);
    const selection = new vscode.Range(line, 0, end, 0);
    await vscode.window.showTextDocument(uri, {
      selection,
      preview: true,
      viewColumn: besideColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One,
    });
    return true;
  }

  private lineCount(uri: vscode.Uri): Promise<number | undefined> {
    const key = uri.toString();
    let p = this.lineCounts.get(key);
    if (!p) {
      p = (async () => {
        const stat = await vscode.workspace.fs.stat(uri);
        if (stat.size > MAX_LINE_COUNT_BYTES) return undefined;
        const bytes = await vscode.workspace.fs.readFile(uri);
        let n = 1;
        for (const b of bytes) if (b === 10) n++;
        if (bytes.length > 0 && bytes[bytes.length - 1] === 10) n--;
        return n;
      })().catch(() => undefined);
      this.lineCounts.set(key, p);
    }
    return p;
  }
}
