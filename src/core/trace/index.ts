// The trace layer: events, the tree, the trajectory file, the history index, redaction.
export * from './types';
export * from './ids';
export * from './emitter';
export * from './traceTree';
export * from './trajectory';
export * from './redact';
