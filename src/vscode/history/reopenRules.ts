/** The reference check for a run reopened from history: the rules the run's scan applied (current
 *  settings, the open workspace's folders), by name, since there is no scan to ask. */
import * as vscode from 'vscode';
import { readRunConfig, runExcludes } from '../config';
import type { FileSet } from '../panel/fileSets';
import { NameRules } from '../panel/nameRules';
import { VscodeFileSource } from '../vscodeFileSource';

export function reopenedRunFiles(scope: string | undefined): FileSet {
  const cfg = readRunConfig();
  const folders = vscode.workspace.workspaceFolders ?? [];
  const excludes = runExcludes(cfg, folders);
  const roots = folders.map((f) => ({ name: f.name, source: new VscodeFileSource(f.uri), excludes }));
  return new NameRules(roots, cfg.allowSecrets, scope);
}
