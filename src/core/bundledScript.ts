import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

/** Script and Node flags of a worker entry (a process or a thread): `scriptPath` when given, else
 *  `<name>.js` in `dir` (the caller's __dirname: dist/ in a bundle, where esbuild.mjs builds every
 *  entry), else (running from source, e.g. under mocha) `<name>.ts` there through tsx. */
export function bundledScript(dir: string, name: string, scriptPath?: string): { script: string; execArgv: string[] } {
  if (scriptPath) return { script: scriptPath, execArgv: scriptPath.endsWith('.ts') ? tsxArgs() : [] };
  const js = path.join(dir, `${name}.js`);
  if (fs.existsSync(js)) return { script: js, execArgv: [] };
  return { script: path.join(dir, `${name}.ts`), execArgv: tsxArgs() };
}

function tsxArgs(): string[] {
  return ['--require', createRequire(__filename).resolve('tsx/cjs')];
}
