// The trace layer: events, the trajectory file, redaction.
export * from './types';
export * from './ids';
export * from './emitter';
export * from './trajectory';
export * from './redact';
