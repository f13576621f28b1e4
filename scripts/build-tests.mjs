// Bundles the tests that run inside VS Code (integration suites, test-electron launcher) into out/test.
import * as esbuild from 'esbuild';
import { readdirSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const suites = (dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.test.ts')).map((f) => join(dir, f)) : []);
rmSync('out/test', { recursive: true, force: true });
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'inline', external: ['vscode', 'mocha'], logLevel: 'warning' };
await esbuild.build({ ...common, entryPoints: ['test/integration/index.ts'], outfile: 'out/test/integration/index.js' });
await esbuild.build({ ...common, entryPoints: suites('test/integration/suite'), outdir: 'out/test/integration/suite' });
await esbuild.build({ ...common, entryPoints: ['test/integration/restricted/index.ts'], outfile: 'out/test/integration/restricted/index.js' });
await esbuild.build({ ...common, entryPoints: suites('test/integration/restricted/suite'), outdir: 'out/test/integration/restricted/suite' });
await esbuild.build({ ...common, entryPoints: ['test/integration/multiroot/index.ts'], outfile: 'out/test/integration/multiroot/index.js' });
await esbuild.build({ ...common, entryPoints: suites('test/integration/multiroot/suite'), outdir: 'out/test/integration/multiroot/suite' });
await esbuild.build({ ...common, external: ['vscode', 'mocha', '@vscode/test-electron', 'tsx'], entryPoints: ['test/integration/runElectron.ts'], outfile: 'out/test/runElectron.js' });
