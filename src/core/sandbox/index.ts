export { SandboxPool, type SandboxPoolOptions } from './pool';
export * from './types';
