// Builds every bundle: extension host, sandbox process, grep worker, scan reader thread, CLI, webview.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
};

/** @type {esbuild.BuildOptions[]} */
const builds = [
  {
    ...common,
    entryPoints: ['src/core/sandbox/child/main.ts'],
    outfile: 'dist/sandbox.js',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // SES refuses to run in sloppy mode (SES_NO_SLOPPY) when bundled as CommonJS.
    banner: { js: '"use strict";' },
  },
  {
    ...common,
    entryPoints: ['src/core/sandbox/child/orphanWatch.ts'],
    outfile: 'dist/orphanWatch.js',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
  },
  {
    ...common,
    entryPoints: ['src/core/workspace/grepWorker.ts'],
    outfile: 'dist/grepWorker.js',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
  },
  {
    ...common,
    entryPoints: ['src/core/workspace/scanReaderThread.ts'],
    outfile: 'dist/scanReaderThread.js',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
  },
  {
    ...common,
    entryPoints: ['src/cli.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    entryPoints: ['src/vscode/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
  },
  {
    ...common,
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview/main.js',
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    loader: { '.css': 'text' },
  },
  {
    ...common,
    sourcemap: false,
    entryPoints: ['webview/main.css'],
    outfile: 'dist/webview/main.css',
  },
].filter((b) => b.entryPoints.every((e) => existsSync(e)));

if (watch) {
  for (const b of builds) {
    const ctx = await esbuild.context(b);
    await ctx.watch();
  }
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
