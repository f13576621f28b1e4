// Builds every bundle: extension host, sandbox process, grep worker, scan reader thread, CLI, webview.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

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
    entryPoints: ['src/core/structure/structureWorker.ts'],
    outfile: 'dist/structureWorker.js',
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

// The tree-sitter runtime and the grammars outline() parses with (GRAMMAR_BY_LANGUAGE in
// src/core/structure/grammars.ts) go beside the bundle as dist/tree-sitter/*.wasm: the parser
// thread loads them from there (parserThread.ts wasmDir), and nothing is fetched at run time.
const GRAMMARS = ['typescript', 'tsx', 'javascript', 'python', 'go', 'rust', 'java', 'cpp', 'c-sharp', 'ruby', 'php', 'bash', 'powershell'];
const wasmFrom = join(dirname(createRequire(import.meta.url).resolve('@vscode/tree-sitter-wasm/package.json')), 'wasm');
mkdirSync('dist/tree-sitter', { recursive: true });
for (const name of ['tree-sitter', ...GRAMMARS.map((g) => `tree-sitter-${g}`)]) {
  copyFileSync(join(wasmFrom, `${name}.wasm`), join('dist/tree-sitter', `${name}.wasm`));
}

if (watch) {
  for (const b of builds) {
    const ctx = await esbuild.context(b);
    await ctx.watch();
  }
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
