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
