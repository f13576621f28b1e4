/** History lives in global storage, shared by every workspace: which runs belong to the open one. */
import * as vscode from 'vscode';

export function openFolderUris(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.toString());
}

/** A run belongs to the open workspace when every folder it was made in is open. Entries older
 *  than the `folders` field belong everywhere. */
export function inOpenWorkspace(folders: readonly string[] | undefined): boolean {
  if (folders === undefined) return true;
  const open = new Set(openFolderUris());
  return folders.length > 0 && folders.every((f) => open.has(f));
}

export const OTHER_WORKSPACE_MESSAGE = 'RLM: this run was made in another workspace. Open that workspace to re-run it or to follow its file references.';
