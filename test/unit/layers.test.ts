import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

// The one hard rule of ARCHITECTURE.md: which folder may import what.
const ROOT = join(__dirname, '..', '..');
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

function sources(dir: string): string[] {
  const out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|tsx|js|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(IMPORT)].map((m) => m[1]);
}

function violations(dir: string, forbidden: (spec: string, file: string) => boolean): string[] {
  const bad: string[] = [];
  for (const f of sources(join(ROOT, dir))) {
    for (const spec of importsOf(f)) if (forbidden(spec, f)) bad.push(`${relative(ROOT, f)} imports ${spec}`);
  }
  return bad;
}

const NODE_BUILTIN = /^(node:|fs$|path$|child_process$|os$|net$|http$|https$|crypto$|worker_threads$|util$|stream$)/;
const resolvesInto = (spec: string, file: string, folder: string) =>
  spec.startsWith('.') && relative(join(ROOT, folder), join(file, '..', spec)).split(/[\\/]/)[0] !== '..';

describe('layer rule', () => {
  it('the import scanner sees imports of every form (so the rule cannot pass vacuously)', () => {
    const sample = `import x from 'a';\nimport 'b';\nconst c = require("c");\nawait import('d');\nexport { e } from "e";`;
    assert.deepEqual([...sample.matchAll(IMPORT)].map((m) => m[1]), ['a', 'b', 'c', 'd', 'e']);
    assert.ok(sources(join(ROOT, 'src/core')).length > 5, 'src/core has sources');
  });

  it('src/core never imports vscode or src/vscode', () => {
    assert.deepEqual(
      violations('src/core', (s, f) => s === 'vscode' || s.startsWith('vscode/') || resolvesInto(s, f, 'src/vscode')),
      [],
    );
  });

  it('the CLI never imports vscode', () => {
    assert.deepEqual(violations('src/cli', (s, f) => s === 'vscode' || resolvesInto(s, f, 'src/vscode')), []);
    assert.deepEqual(importsOf(join(ROOT, 'src/cli.ts')).filter((s) => s === 'vscode'), []);
  });

  it('webview code imports neither vscode, Node built-ins nor src/core', () => {
    assert.deepEqual(
      violations('webview', (s, f) => s === 'vscode' || NODE_BUILTIN.test(s) || resolvesInto(s, f, 'src/core') || resolvesInto(s, f, 'src/vscode')),
      [],
    );
  });
});
