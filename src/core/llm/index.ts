// The models layer: one import for the engine, the CLI and the extension.
export * from './types';
export * from './defaults';
export * from './modelError';
export * from './openaiModel';
export * from './modelSlots';
export * from './usage';
export { backoffDelay, parseRetryAfter } from './retry';
