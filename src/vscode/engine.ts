// The run machinery (engine, workspace scan, model client, sandbox pool), loaded on the first run
// through `await import('./engine')` so that activation evaluates none of it.
export { Run } from '../core/rlm/run';
export { scanWorkspace } from '../core/workspace/workspace';
export { OpenAIChatModel } from '../core/llm/openaiModel';
export { SandboxPool } from '../core/sandbox/pool';
export { Conversation } from '../core/rlm/conversation';
