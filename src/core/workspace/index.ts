/**
 * The workspace map and the host side of the file endowments.
 *
 *   const ws = await scanWorkspace([{ name: 'repo', source: new NodeFileSource('/path/to/repo') }], options);
 *   ws.context                        // frozen ContextMap: metadata only (files, tree, languages, skipped)
 *   await ws.readFile('src/a.ts', { start: 1, end: 20 })
 *   await ws.grep('TODO', { glob: '*.ts', contextLines: 2 }, signal)
 *   ws.hasFile('src/a.ts:12')
 *
 * Every refusal is an RlmError with a workspace-relative message and a stable `code`
 * ('path-invalid', 'path-outside', 'file-secret', 'file-ignored', 'file-binary', 'file-too-large',
 * 'file-special', 'file-symlink', 'file-not-found', 'file-unreadable', 'range-invalid',
 * 'grep-invalid', 'glob-invalid', 'limit-grep-time', 'grep-failed', 'cancelled', 'scope-invalid').
 */
export * from './types';
export { NodeFileSource } from './nodeFileSource';
export { scanWorkspace, Workspace, DEFAULT_CACHE_BYTES } from './workspace';
export { DEFAULT_MAX_FILE_BYTES } from './scan';
export { DEFAULT_EXCLUDES } from './ignoreRules';
export { SECRET_PATTERNS } from './secrets';
export { normalizeModelPath, MAX_PATH_CHARS } from './modelPath';
export { languageOf } from './languages';
export {
  DEFAULT_MAX_PATTERN_CHARS,
  DEFAULT_MAX_RESULTS,
  HARD_MAX_RESULTS,
  MAX_CONTEXT_LINES,
  DEFAULT_GREP_TIMEOUT_MS,
} from './grep';
