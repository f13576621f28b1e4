/** A folder named by a person or a model (`@rlm /explain src/core`, the tool's `folder`): resolved
 *  inside the open workspace, or a sentence saying why not. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { explainFolderQuestion } from '../../runLabel';

/** The Explain question for `folder`, named relative to its workspace folder (as Explain This Folder does). */
export function explainQuestion(folder: vscode.Uri): string {
  const wf = vscode.workspace.getWorkspaceFolder(folder);
  const rel = wf ? path.posix.relative(wf.uri.path, folder.path) || wf.name : path.posix.basename(folder.path);
  return explainFolderQuestion(rel);
}

async function isFolder(uri: vscode.Uri): Promise<boolean> {
  try {
    return ((await vscode.workspace.fs.stat(uri)).type & vscode.FileType.Directory) !== 0;
  } catch {
    return false;
  }
}

/** `text`: a workspace-relative folder (multi-root: may start with a root's name), '' or '.' for the
 *  whole first root, or an absolute path (left for the run controller to refuse when outside). */
export async function resolveFolder(text: string): Promise<vscode.Uri | { problem: string }> {
  const name = text.trim().replace(/^[`'"]|[`'"]$/g, '').replace(/\\/g, '/').replace(/\/+$/, '');
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) return { problem: 'Open a folder first: RLM answers questions about the open workspace.' };
  if (path.posix.isAbsolute(name) || path.win32.isAbsolute(name)) return vscode.Uri.file(name);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return { problem: `"${name}" leaves the workspace; name a folder inside it.` };
  const candidates: vscode.Uri[] = [];
  const named = folders.length > 1 ? folders.find((f) => f.name === parts[0]) : undefined;
  if (named) candidates.push(vscode.Uri.joinPath(named.uri, ...parts.slice(1)));
  for (const f of folders) candidates.push(parts.length ? vscode.Uri.joinPath(f.uri, ...parts) : f.uri);
  for (const uri of candidates) if (await isFolder(uri)) return uri;
  return { problem: `There is no folder "${name}" in this workspace. Name one relative to the workspace, e.g. "src".` };
}
