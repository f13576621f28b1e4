import ignore, { type Ignore } from 'ignore';

/** Files that hold credentials: never listed as readable, never sent to a model, unless the user
 *  opts a pattern back in (ScanOptions.allowSecrets). Gitignore syntax, matched case-insensitively
 *  because `.ENV` on a case-insensitive disk is the same file. */
export const SECRET_PATTERNS: readonly string[] = [
  '.env',
  '.env.*',
  '.env*',
  '*.pem',
  '*.key',
  'id_rsa*',
  'id_dsa*',
  'id_ecdsa*',
  'id_ed25519*',
  '*.p12',
  '*.pfx',
  '*.keystore',
  '*.jks',
  '.npmrc',
  '.yarnrc.yml',
  '.netrc',
  '_netrc',
  '.pypirc',
  '.pgpass',
  '.git-credentials',
  'credentials*.json',
  'service-account*.json',
  '**/.aws/credentials',
  '**/.docker/config.json',
  '.dockercfg',
  '**/.kube/config',
  '.ssh/',
  '.vault-token',
  '.s3cfg',
  '.boto',
  '.htpasswd',
  '*.tfstate',
  '*.tfstate.*',
  '*.tfvars',
  '.git',
];

export class SecretRules {
  private readonly secret: Ignore;
  private readonly allowed: Ignore | undefined;

  constructor(allowSecrets: readonly string[] = []) {
    this.secret = ignore({ ignorecase: true }).add(SECRET_PATTERNS as string[]);
    const allow = allowSecrets.filter((p) => typeof p === 'string' && p.trim() !== '');
    this.allowed = allow.length > 0 ? ignore({ ignorecase: true }).add(allow) : undefined;
  }

  /** `relPath`: root-relative POSIX path of a file. */
  isSecret(relPath: string): boolean {
    try {
      return this.check(relPath);
    } catch {
      return true; // a name the matcher cannot take is treated as secret
    }
  }

  private check(relPath: string): boolean {
    if (!this.secret.ignores(relPath)) return false;
    // Internals of .git hold remotes with tokens and hooks: never opted back in.
    if (relPath === '.git' || relPath.startsWith('.git/') || relPath.includes('/.git/')) return true;
    return !(this.allowed?.ignores(relPath) ?? false);
  }
}
