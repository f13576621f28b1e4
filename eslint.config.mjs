// ESLint (flat config): typescript-eslint's recommended rules plus the layer rule of
// docs/ARCHITECTURE.md, one `no-restricted-imports` block per folder. `npm test` runs it (pretest).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// A specifier that names `vscode` or reaches into a folder called `vscode` (src/vscode from anywhere).
const VSCODE = { regex: '(^|/)vscode(/|$)', message: 'Layer rule: only src/vscode may use the VS Code API or import from src/vscode.' };
const WEBVIEW = { regex: '(^|/)webview(/|$)', message: 'Layer rule: the webview talks to the host only through src/panelProtocol.ts messages.' };
const CLI = { regex: '(^|/)cli(\\.ts)?(/|$)', message: 'Layer rule: src/core must not depend on the CLI.' };
const CORE = { regex: '(^|/)src/core(/|$)', message: 'Layer rule: the webview runs in a browser; it may import only src/panelProtocol.ts (and the pure src/runLabel.ts, src/fileRefs.ts) from src/.' };
const NODE = {
  regex: `^(node:.*|${builtinModules.filter((m) => !m.startsWith('_')).join('|')})(/.*)?$`,
  message: 'Layer rule: the webview runs in a browser; Node built-ins are not available there.',
};

// no-restricted-imports sees `import`/`export ... from`; the same patterns also stop `import('vscode')`.
// (`require()` is refused everywhere in TypeScript by @typescript-eslint/no-require-imports.)
const layer = (patterns) => ({
  'no-restricted-imports': ['error', { patterns }],
  'no-restricted-syntax': [
    'error',
    ...patterns.map((p) => ({
      // esquery ends a regex at any '/', escaped or not: write it as \x2F.
      selector: `ImportExpression[source.value=/${p.regex.replaceAll('/', '\\x2F')}/]`,
      message: p.message,
    })),
  ],
});

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', 'out/', '.test-artifacts/', '.bench-work/', '.vscode-test/', '**/*.vsix'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // TypeScript checks names in .ts files; the few plain .mjs build scripts run on Node.
    files: ['**/*.mjs'],
    languageOptions: {
      globals: {
        ...Object.fromEntries(['console', 'process', 'Buffer', '__dirname', '__filename', 'require', 'module', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'queueMicrotask', 'structuredClone', 'URL', 'TextEncoder', 'TextDecoder', 'AbortController', 'AbortSignal', 'fetch', 'performance', 'globalThis'].map((g) => [g, 'readonly'])),
      },
    },
  },
  {
    rules: {
      // We match control characters on purpose: to escape or refuse them in untrusted text.
      'no-control-regex': 'off',
      // `_`-prefixed names are deliberately unused (signature placeholders, destructuring to drop a field).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  { files: ['src/core/**/*.ts'], rules: layer([VSCODE, WEBVIEW, CLI]) },
  { files: ['src/cli.ts', 'src/cli/**/*.ts'], rules: layer([VSCODE]) },
  { files: ['webview/**/*.ts'], rules: layer([VSCODE, NODE, CORE]) },
);
