/** Reference checks for a run reopened from history (no scan): the core's rules applied by name:
 *  secret patterns and allowSecrets, default and user excludes, .gitignore files along the path.
 *  No vscode import: unit-tested directly. */
import { IgnoreRules } from '../../core/workspace/ignoreRules';
import { SecretRules } from '../../core/workspace/secrets';
import type { FileSource } from '../../core/workspace/types';
import { normalized, type FileSet } from './fileSets';

export interface NamedRoot {
  name: string;
  source: FileSource;
  /** User excludes (rlm.excludes, files.exclude) for this root, gitignore syntax. */
  excludes: readonly string[];
}

export class NameRules implements FileSet {
  private readonly secrets: SecretRules;
  private readonly rules = new Map<NamedRoot, Promise<IgnoreRules>>();

  /** `scope`: a scoped run's folder (workspace path); files outside it are refused. */
  constructor(
    private readonly roots: readonly NamedRoot[],
    allowSecrets: readonly string[],
    private readonly scope?: string,
  ) {
    this.secrets = new SecretRules(allowSecrets);
  }

  async hasFile(path: string): Promise<boolean> {
    const p = normalized(path);
    if (p === undefined || this.roots.length === 0) return false;
    if (this.scope && p !== this.scope && !p.startsWith(`${this.scope}/`)) return false;
    let root = this.roots[0];
    let rel = p;
    if (this.roots.length > 1) {
      const [head, ...rest] = p.split('/');
      const named = this.roots.find((r) => r.name === head);
      if (!named || rest.length === 0) return false;
      root = named;
      rel = rest.join('/');
    }
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
    return !rules.isIgnored(rel, false);
  }

  private rulesFor(root: NamedRoot): Promise<IgnoreRules> {
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
