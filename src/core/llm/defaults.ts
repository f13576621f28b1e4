/** The models a run uses when the user names none: the CLI's defaults and the extension's
 *  `rlm.model` / `rlm.subModel` defaults (package.json repeats them; a unit test keeps them equal). */
export const DEFAULT_ROOT_MODEL = 'gpt-5';
/** Sub-model paired with DEFAULT_ROOT_MODEL; a root model the user chose gets itself as sub-model. */
export const DEFAULT_SUB_MODEL = 'gpt-5-mini';
/** Default bound on the reply cache (`rlm.cache.maxMb`, `--cache-max`). */
export const DEFAULT_CACHE_MB = 200;
