// Entry point of the sandbox process (bundled to dist/sandbox.js). Locks the realm down with SES,
// then runs one session's REPL cells as the host asks, over the IPC channel.
import 'ses';
import { Worker } from 'node:worker_threads';
import { bundledScript } from '../../bundledScript';
import type { ChildMessage, HostMessage } from '../sandboxIpc';
import { DEFAULT_SANDBOX_LIMITS } from '../types';
import { Repl } from './repl';

// If the host dies while a cell spins, nothing would ever stop this process: a watcher thread
// (orphanWatch.ts, its own isolate, unreachable from model code) kills it once it has been orphaned.
const watch = bundledScript(__dirname, 'orphanWatch');
new Worker(watch.script, { execArgv: watch.execArgv, env: {}, stdout: true, stderr: true }).unref();

lockdown({
  // Stacks stay hidden from model code (they name host paths); the REPL reads line numbers
  // through the start compartment's getStackString.
  errorTaming: 'safe',
  // Node's own console is left alone; model code never sees it (it gets its own `console`).
  consoleTaming: 'unsafe',
  // This process handles uncaught errors and rejections itself (below) and must not exit on them.
  errorTrapping: 'none',
  unhandledRejectionTrapping: 'none',
  overrideTaming: 'moderate',
});

const send = (msg: ChildMessage): void => {
  process.send?.(msg);
};

// Model code can leave rejected promises behind; that is its business, not a reason to exit.
process.on('unhandledRejection', () => undefined);
process.on('uncaughtException', () => undefined);
// The host went away: nothing left to do.
process.on('disconnect', () => process.exit(0));

let repl: Repl | undefined;
let running = false;

process.on('message', (raw: unknown) => {
  const msg = raw as HostMessage;
  switch (msg?.t) {
    case 'open':
      repl = new Repl(JSON.parse(msg.contextJson), msg.limits, send);
      break;
    case 'cell':
      if (!repl || running) {
        send({ t: 'done', cell: msg.id, output: '', error: 'Error: the sandbox is not ready for a cell' });
        setImmediate(() => send({ t: 'idle', cell: msg.id }));
        break;
      }
      running = true;
      void repl
        .run(msg.id, msg.index, msg.code)
        .catch((): ChildMessage => ({ t: 'done', cell: msg.id, output: '', error: 'Error: internal sandbox error' }))
        .then((done) => {
          running = false;
          send(done);
          // Runs only once the microtask queue is empty: proves nothing of the cell is still running.
          setImmediate(() => send({ t: 'idle', cell: msg.id }));
        });
      break;
    case 'history':
      repl?.setHistory(msg.entries);
      break;
    case 'reply':
      repl?.reply(msg.cell, msg.id, msg.ok, msg.ok ? msg.value : undefined, msg.ok ? undefined : msg.message);
      break;
    default:
      break;
  }
});

/** Compiles and runs a throwaway cell so that the first real cell does not pay for JIT warm-up. */
async function warmUp(): Promise<void> {
  const noop = () => undefined;
  const r = new Repl({}, DEFAULT_SANDBOX_LIMITS, noop);
  await r.run(0, 0, 'let a = [1, 2]; const b = { a };\nfunction f(x) { return x + 1 }\nclass C {}\nprint(a, b); f(a.length)');
}

void warmUp().then(() => send({ t: 'ready' }));
