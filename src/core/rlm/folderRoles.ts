import type { FileInfo } from '../workspace/types';

/** What a file is for, judged from its path and language only (the summary never reads contents). */
export type Role = 'source' | 'tests' | 'docs' | 'vendored' | 'other';

// Folder names (lower-case) that mark everything beneath them.
const TEST_DIRS = new Set(['t', 'test', 'tests', 'testing', '__tests__', 'spec', 'specs', 'testdata', 'test-data', 'fixtures', '__fixtures__', '__snapshots__', 'e2e', 'unit-tests', 'integration-tests', 'testsuite']);
const DOC_DIRS = new Set(['doc', 'docs', 'documentation', 'man', 'manual', 'website', 'guide', 'guides']);
const VENDOR_DIRS = new Set(['vendor', 'vendors', 'third_party', 'third-party', 'thirdparty', 'external', 'node_modules', 'bower_components', 'dist', 'build', 'out', 'generated', '__generated__', '.yarn']);
const OTHER_DIRS = new Set(['examples', 'example', 'samples', 'sample', 'bench', 'benchmark', 'benchmarks', 'playground', 'demo', 'demos', 'contrib', 'scripts', 'tools', 'ci', '.github']);
const TEST_FILE = /(^test_.*\.py$|_test\.(go|py|rb|c|cc|cpp)$|\.(test|spec)\.[cm]?[jt]sx?$|Tests?\.(java|kt|cs)$)/;
// Languages that are prose or data rather than code.
const NOT_CODE = new Set(['plaintext', 'markdown', 'mdx', 'restructuredtext', 'asciidoc', 'rdoc', 'org', 'pod', 'texinfo', 'latex', 'json', 'jsonc', 'json5', 'yaml', 'toml', 'xml', 'csv', 'lock', 'log', 'diff', 'ini', 'properties', 'ignore', 'go.sum', 'jupyter']);
const DOC_LANGS = new Set(['markdown', 'mdx', 'restructuredtext', 'asciidoc', 'rdoc', 'org', 'pod', 'texinfo', 'latex']);

export function roleOf(f: Pick<FileInfo, 'path' | 'language'>): Role {
  const parts = f.path.split('/');
  const name = parts[parts.length - 1];
  for (let i = 0; i < parts.length - 1; i++) {
    const d = parts[i].toLowerCase();
    if (VENDOR_DIRS.has(d)) return 'vendored';
    if (TEST_DIRS.has(d)) return 'tests';
    if (DOC_DIRS.has(d)) return 'docs';
    if (OTHER_DIRS.has(d)) return 'other';
  }
  if (TEST_FILE.test(name)) return 'tests';
  if (/\.min\.(js|css)$|\.generated\.|\.pb\.go$|_pb2\.py$/.test(name)) return 'vendored';
  if (DOC_LANGS.has(f.language)) return 'docs';
  return NOT_CODE.has(f.language) ? 'other' : 'source';
}

/** A folder with the files directly in it and its subtree's totals per role. */
export interface Folder {
  path: string;
  /** Files directly in the folder. */
  own: FileInfo[];
  ownSourceLines: number;
  /** Subtree totals. */
  files: number;
  lines: number;
  sourceLines: number;
  /** The role holding most of the subtree's files. */
  role: Role;
  byRole: Record<Role, number>;
  children: Folder[];
}

/** Every folder of the workspace (root first, path ''), with role totals, from the file list. */
export function foldersOf(files: readonly FileInfo[]): Map<string, Folder> {
  const map = new Map<string, Folder>();
  const get = (path: string): Folder => {
    let f = map.get(path);
    if (!f) {
      f = { path, own: [], ownSourceLines: 0, files: 0, lines: 0, sourceLines: 0, role: 'other', byRole: { source: 0, tests: 0, docs: 0, vendored: 0, other: 0 }, children: [] };
      map.set(path, f);
      if (path !== '') get(parentOf(path)).children.push(f);
    }
    return f;
  };
  get('');
  for (const file of files) {
    const role = roleOf(file);
    const dir = parentOf(file.path);
    const own = get(dir);
    own.own.push(file);
    if (role === 'source') own.ownSourceLines += file.lines;
    for (let p: string | undefined = dir; p !== undefined; p = p === '' ? undefined : parentOf(p)) {
      const f = get(p);
      f.files++;
      f.lines += file.lines;
      f.byRole[role]++;
      if (role === 'source') f.sourceLines += file.lines;
    }
  }
  for (const f of map.values()) {
    f.role = (Object.keys(f.byRole) as Role[]).reduce((a, b) => (f.byRole[b] > f.byRole[a] ? b : a));
    f.children.sort((a, b) => (a.path < b.path ? -1 : 1));
  }
  return map;
}

/** True when the folder only leads to one child folder holding all its files (`packages/` above
 *  `packages/svelte/`): the child says everything, so the chain is shown once. */
export function isChainLink(f: Folder): boolean {
  return f.own.length === 0 && f.children.length === 1;
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}
