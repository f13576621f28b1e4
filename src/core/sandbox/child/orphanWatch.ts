// A watcher thread of the sandbox process (main.ts starts it; esbuild.mjs bundles it as
// dist/orphanWatch.js). If the host dies while a cell spins, nothing else would ever stop the
// sandbox: this thread (its own isolate, unreachable from model code) kills it once orphaned.
const first = process.ppid;
setInterval(() => {
  if (process.ppid !== first) process.kill(process.pid, 'SIGKILL');
}, 1000);
