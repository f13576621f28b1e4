import ignore, { type Ignore } from 'ignore';

/** Files that hold credentials: never listed as readable, never sent to a model, unless the user
 *  opts a pattern back in (ScanOptions.allowSecrets). Gitignore syntax, matched case-insensitively
 *  because `.ENV` on a case-insensitive disk is the same file. */
export const SECRET_PATTERNS: readonly string[] = [
  '.env',
  '.env.*',
  '.env*',
  '*.env',
  '*.pem',
  '*.key',
  'id_rsa*',
  'id_dsa*',
  'id_ecdsa*',
  'id_ed25519*',
  '*.p12',
  '*.pfx',
  '*.ppk',
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
  'kubeconfig*',
  '*.kubeconfig',
  'secrets.y*ml',
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

/** A directory listing that is a git directory: a bare repository (`repo.git/`) or a `.git` folder
 *  under another name. Its `config` holds remote URLs with tokens and credential helpers. */
export function isGitDir(names: ReadonlySet<string>): boolean {
  return names.has('HEAD') && names.has('config') && names.has('objects') && names.has('refs');
}

/** A Google Cloud service-account key, whatever its file name: JSON with `"type":
 *  "service_account"` and a private key. Cheap for other text (two substring tests). */
export function isServiceAccountKey(text: string): boolean {
  if (!text.includes('service_account') || !text.includes('private_key')) return false;
  try {
    const o = JSON.parse(text) as { type?: unknown; private_key?: unknown } | null;
    return o !== null && typeof o === 'object' && o.type === 'service_account' && typeof o.private_key === 'string';
  } catch {
    return false;
  }
}

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

  /** Whether the user opted `relPath` in explicitly (it may then be read even if it looks secret,
   *  or has more than one hard link). */
  isAllowed(relPath: string): boolean {
    try {
      return this.allowed?.ignores(relPath) ?? false;
    } catch {
      return false;
    }
  }

  private check(relPath: string): boolean {
    if (!this.secret.ignores(relPath)) return false;
    // Internals of .git hold remotes with tokens and hooks: never opted back in.
    if (relPath === '.git' || relPath.startsWith('.git/') || relPath.includes('/.git/')) return true;
    return !(this.allowed?.ignores(relPath) ?? false);
  }
}
