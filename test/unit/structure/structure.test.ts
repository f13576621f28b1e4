import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TreeSitterStructure } from '../../../src/core/structure/treeSitterStructure';
import type { StructureLimits } from '../../../src/core/structure/types';
import { NodeFileSource, scanWorkspace, type ScanOptions, type Workspace } from '../../../src/core/workspace';
import { makeTree, rejectsWith, removeTree } from '../workspace/fixture';

// The bundled parser thread when built (npm test builds first); else the source through tsx.
const BUNDLED = path.join(__dirname, '../../../dist/structureWorker.js');
const WORKER = fs.existsSync(BUNDLED) ? BUNDLED : undefined;

const FILES = {
  'src/greeter.ts': [
    '// helper is mentioned in a comment',
    'export class Greeter {',
    '  greet(who: string): string {',
    '    const s = `hi ${who}`;',
    '    return helper(s);',
    '  }',
    '}',
    '',
    'export function helper(n: string) {',
    '  return n + "helper";',
    '}',
    'const arrow = (x: string) => helper(x);',
    '',
  ].join('\n'),
  'py/store.py': [
    'import os',
    '',
    'class Store:',
    '    def __init__(self):',
    '        self.items = []',
    '',
    '    def add(self, item):',
    '        helper(item)',
    '        return "helper"',
    '',
    'def helper(x):',
    '    return x',
    '',
  ].join('\n'),
  'c/point.c': [
    '#include <stdio.h>',
    '',
    'struct point { int x; int y; };',
    '',
    'static int helper(int a) {',
    '  return a * 2;',
    '}',
    '',
    'int main(void) {',
    '  printf("helper %d\\n", helper(2));',
    '  return 0;',
    '}',
    '',
  ].join('\n'),
  'go/server.go': [
    'package main',
    '',
    'type Server struct {',
    '\tport int',
    '}',
    '',
    'func (s *Server) Start() error {',
    '\treturn helper(s.port)',
    '}',
    '',
    'func helper(p int) error {',
    '\treturn nil',
    '}',
    '',
  ].join('\n'),
  'docs/notes.md': '# helper\nThe helper function.\n',
};

describe('code structure (tree-sitter)', function () {
  this.timeout(60_000);
  let dir: string;
  const opened: Array<{ ws: Workspace; s: TreeSitterStructure }> = [];

  async function open(files: Record<string, string>, limits: Partial<StructureLimits> = {}, scan: ScanOptions = {}): Promise<TreeSitterStructure> {
    dir = makeTree(files);
    const ws = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(dir) }], scan);
    const s = new TreeSitterStructure(ws, limits, WORKER);
    opened.push({ ws, s });
    return s;
  }

  afterEach(() => {
    for (const o of opened.splice(0)) o.s.dispose();
    if (dir) removeTree(dir);
  });

  it('outlines a TypeScript, a Python, a C and a Go file with 1-based line ranges and containers', async () => {
    const s = await open(FILES);
    assert.deepEqual((await s.outline('src/greeter.ts')).items, [
      { name: 'Greeter', kind: 'class', start: 2, end: 7 },
      { name: 'greet', kind: 'method', start: 3, end: 6, container: 'Greeter' },
      { name: 'helper', kind: 'function', start: 9, end: 11 },
      { name: 'arrow', kind: 'function', start: 12, end: 12 },
    ]);
    assert.deepEqual((await s.outline('py/store.py')).items, [
      { name: 'Store', kind: 'class', start: 3, end: 9 },
      { name: '__init__', kind: 'method', start: 4, end: 5, container: 'Store' },
      { name: 'add', kind: 'method', start: 7, end: 9, container: 'Store' },
      { name: 'helper', kind: 'function', start: 11, end: 12 },
    ]);
    assert.deepEqual((await s.outline('c/point.c')).items, [
      { name: 'point', kind: 'struct', start: 3, end: 3 },
      { name: 'helper', kind: 'function', start: 5, end: 7 },
      { name: 'main', kind: 'function', start: 9, end: 12 },
    ]);
    assert.deepEqual((await s.outline('go/server.go')).items, [
      { name: 'Server', kind: 'type', start: 3, end: 5 },
      { name: 'Start', kind: 'method', start: 7, end: 9, container: 'Server' },
      { name: 'helper', kind: 'function', start: 11, end: 13 },
    ]);
  });

  it('gives the innermost definition holding a line: a method with its class', async () => {
    const s = await open(FILES);
    assert.deepEqual(await s.enclosing('src/greeter.ts', 5), { name: 'greet', kind: 'method', start: 3, end: 6, container: 'Greeter' });
    assert.deepEqual(await s.enclosing('py/store.py', 8), { name: 'add', kind: 'method', start: 7, end: 9, container: 'Store' });
    assert.equal(await s.enclosing('src/greeter.ts', 1), null);
  });

  it('finds definitions and references across the workspace, not in comments or strings', async () => {
    const s = await open(FILES);
    const defs = await s.definitions('helper', {});
    assert.deepEqual(
      defs.items.map((d) => `${d.path}:${d.line}-${d.end} ${d.kind}`).sort(),
      ['c/point.c:5-7 function', 'go/server.go:11-13 function', 'py/store.py:11-12 function', 'src/greeter.ts:9-11 function'],
    );
    assert.equal(defs.truncated, false);
    const refs = await s.references('helper', {});
    assert.deepEqual(
      refs.items.map((r) => `${r.path}:${r.line} ${r.enclosing ?? '-'}`),
      [
        'c/point.c:5 helper',
        'c/point.c:10 main',
        'go/server.go:8 Server.Start',
        'go/server.go:11 helper',
        'py/store.py:8 Store.add',
        'py/store.py:11 helper',
        'src/greeter.ts:5 Greeter.greet',
        'src/greeter.ts:9 helper',
        'src/greeter.ts:12 arrow',
      ],
    );
    assert.equal(refs.items.find((r) => r.path === 'src/greeter.ts' && r.line === 5)?.text, '    return helper(s);');
    const onlyGo = await s.references('helper', { glob: '**/*.go' });
    assert.deepEqual(onlyGo.items.map((r) => r.path), ['go/server.go', 'go/server.go']);
    const noPy = await s.definitions('helper', { exclude: 'py/**,c/**' });
    assert.deepEqual(noPy.items.map((d) => d.path).sort(), ['go/server.go', 'src/greeter.ts']);
  });

  it('says which limit cut a list and how to narrow it', async () => {
    const many: Record<string, string> = {};
    for (let i = 0; i < 6; i++) many[`m/f${i}.ts`] = `export function target() { return ${i}; }\ntarget();\n`;
    const s = await open(many, { maxFiles: 2 });
    const defs = await s.definitions('target', {});
    assert.equal(defs.items.length, 2);
    assert.equal(defs.truncated, true);
    assert.match(defs.note ?? '', /6 files hold the name; parsed 2 \(the file limit\); pass a glob or exclude to narrow/);
    const refs = await s.references('target', { maxResults: 3 });
    assert.equal(refs.items.length, 3);
    assert.match(refs.note ?? '', /first 3 lines of 4 occurrences in 2 files; pass a glob or exclude to narrow, or raise maxResults \(at most 1000\)/);
  });

  it('refuses a file over the parse size limit, a language without a grammar and a pattern for a name', async () => {
    const s = await open({ ...FILES, 'big.js': 'var x = 1;\n'.repeat(200) }, { maxFileBytes: 1000 });
    await rejectsWith(s.outline('big.js'), 'structure-too-large', /big\.js is over the parse limit of 1000 bytes; grep it or read it in ranges/);
    await rejectsWith(s.outline('docs/notes.md'), 'structure-language', /no outline for markdown \(docs\/notes\.md\): .*typescript.*python.*; use grep and readFile for this file/);
    await rejectsWith(s.definitions('help.*', {}), 'structure-invalid', /name must be one identifier .* use grep for patterns/);
    await rejectsWith(s.outline('../etc/passwd'), 'path-outside', /.*/);
  });

  it('keeps the host responsive on a 5 MB single-line minified file and a deeply nested one (bounded by the time limit)', async () => {
    const minified = 'var a0=function(b){return b+1};'.repeat(170_000); // ~5.3 MB, one line
    const nested = 'const v = ' + '['.repeat(50_000) + ']'.repeat(50_000) + ';\nfunction after() {}\n';
    const s = await open({ 'min.js': minified, 'deep.js': nested }, { maxFileBytes: 8 * 1024 * 1024, timeoutMs: 1500 }, { maxFileBytes: 8 * 1024 * 1024 });
    let ticks = 0;
    const tick = setInterval(() => ticks++, 5);
    try {
      for (const f of ['min.js', 'deep.js']) {
        const r = await s.outline(f);
        // Either the whole outline or a cut one that says the time limit stopped it.
        if (r.truncated) assert.match(r.note ?? '', /stopped at the time limit \(1\.5 s\)|first 2000 definitions/);
        else assert.ok(r.items.length > 0);
      }
    } finally {
      clearInterval(tick);
    }
    // The parse ran off the main thread: the host's timers kept firing meanwhile.
    assert.ok(ticks > 3, `host timers fired ${ticks} times`);
  });
});
