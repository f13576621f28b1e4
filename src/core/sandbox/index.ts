/**
 * The sandbox: model-written JavaScript runs in a separate OS process (child/main.ts, bundled to
 * dist/sandbox.js) under SES lockdown, one Compartment per session.
 *
 * Host side (this folder): SandboxPool keeps a warm spare process and hands out Sessions; a Session
 * sends cells, answers endowment calls (rpc.ts: workspace and sub-call host, limits, RlmError
 * messages only; replyBudget.ts bounds the bytes of replies held for one sandbox), and stops a cell
 * with SIGKILL on its time limit (cellClock.ts: waiting for sub-calls does not count, waiting for
 * readFile/grep does), on memory (watchdog.ts: resident memory polled from outside, heap limit by
 * --max-old-space-size; sandboxTree.ts: all sandboxes of a run tree together), on cancel, or when
 * the child stays busy after the cell ended; the next cell then runs in a fresh process and says
 * `variablesLost`. A cell's end aborts its pending readFile/grep work (queued, running processes).
 *
 * Child side (child/): transform.ts rewrites top-level declarations onto the compartment's global
 * so they persist; endowments.ts builds the REPL contract's names; validate.ts reads arguments
 * without running model code; format.ts prints values without running model code; repl.ts ties
 * them together and revokes a cell's endowments when it ends. Messages: sandboxIpc.ts.
 */
export { SandboxPool, type SandboxPoolOptions } from './pool';
export * from './types';
