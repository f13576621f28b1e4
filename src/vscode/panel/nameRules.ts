/** Reference checks for a run reopened from history (no scan): the core's rules applied by name:
 *  secret patterns and allowSecrets, default and user excludes, .gitignore files along the path,
 *  the scan's root names and scope (rootPaths.ts), then the path checked by its REAL path as the
 *  scan would: a regular file reached through no symlink. No vscode import: unit-tested directly. */
import { IgnoreRules } from '../../core/workspace/ignoreRules';
import { inScope, locateInRoots, rootPrefixes } from '../../core/workspace/rootPaths';
import { SecretRules } from '../../core/workspace/secrets';
import type { FileSource } from '../../core/workspace/types';
import { normalized, type FileSet } from './fileSets';

export interface NamedRoot {
  name: string;
  source: FileSource;
  /** User excludes (rlm.excludes, files.exclude) for this root, gitignore syntax. */
  excludes: readonly string[];
}

interface PrefixedRoot extends NamedRoot {
  prefix: string;
}

export class NameRules implements FileSet {
  private readonly secrets: SecretRules;
  private readonly roots: readonly PrefixedRoot[];
  private readonly rules = new Map<PrefixedRoot, Promise<IgnoreRules>>();

  /** `scope`: a scoped run's folder (workspace path); files outside it are refused. */
  constructor(
    roots: readonly NamedRoot[],
    allowSecrets: readonly string[],
    private readonly scope?: string,
  ) {
    const prefixes = rootPrefixes(roots.map((r) => r.name));
    this.roots = roots.map((r, i) => ({ ...r, prefix: prefixes[i] }));
    this.secrets = new SecretRules(allowSecrets);
  }

  async hasFile(path: string): Promise<boolean> {
    const p = normalized(path);
    if (p === undefined || !inScope(p, this.scope)) return false;
    const found = locateInRoots(this.roots, p);
    if (!found || found[1] === '') return false;
    const [root, rel] = found;
    if (this.secrets.isSecret(rel)) return false;
    const rules = await this.rulesFor(root);
    const segments = rel.split('/');
    let dir = '';
    for (const seg of segments.slice(0, -1)) {
      await rules.loadDir(root.source, dir);
      dir = dir ? `${dir}/${seg}` : seg;
      if (rules.isIgnored(dir, true)) return false;
    }
    await rules.loadDir(root.source, dir);
    if (rules.isIgnored(rel, false)) return false;
    // As a live run's scan (which walks with lstat and never follows a link): a regular file whose
    // real path is the path itself. A link anywhere on the way (to outside, or to inside under
    // another name) is refused, so a click can never open a file outside the workspace.
    const [stat, real] = await Promise.all([root.source.lstat(rel).catch(() => undefined), root.source.realpath(rel).catch(() => undefined)]);
    return stat?.kind === 'file' && real === rel;
  }

  private rulesFor(root: PrefixedRoot): Promise<IgnoreRules> {
    let r = this.rules.get(root);
    if (!r) {
      const rules = new IgnoreRules(root.excludes);
      r = rules.loadInfoExclude(root.source).then(
        () => rules,
        () => rules,
      );
      this.rules.set(root, r);
    }
    return r;
  }
}
