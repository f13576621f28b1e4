import { strict as assert } from 'node:assert';
import { firstUserMessage, metadataSummary, SUMMARY_MAX_BYTES } from '../../../src/core/rlm/summary';
import type { ContextMap, DirNode } from '../../../src/core/workspace/types';
import { buildContext } from '../../../src/core/workspace/contextMap';
import { languageOf } from '../../../src/core/workspace/languages';

function bigContext(nFiles: number, nameLength = 40): ContextMap {
  const files = Array.from({ length: nFiles }, (_, i) => ({
    path: `pkg${i % 97}/src/${'x'.repeat(nameLength)}${i}.ts`,
    size: 1000,
    lines: 40,
    language: 'typescript',
  }));
  const dirs: DirNode[] = Array.from({ length: 97 }, (_, d) => ({
    name: `pkg${d}`, path: `pkg${d}`, files: Math.ceil(nFiles / 97), bytes: 0, lines: 0, dirs: [], fileNames: [],
  }));
  return {
    root: 'big',
    roots: ['big'],
    files,
    tree: { name: 'big', path: '', files: nFiles, bytes: nFiles * 1000, lines: nFiles * 40, dirs, fileNames: ['package.json', 'README.md'] },
    languages: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`lang${i}`, { files: i, lines: i * 10, bytes: i }])),
    totals: { files: nFiles, bytes: nFiles * 1000, lines: nFiles * 40, skipped: 3 },
    skipped: [],
  };
}

describe('metadata summary', () => {
  it('stays within 8 KB for 100,000 files with long paths', () => {
    const s = metadataSummary(bigContext(100_000, 300));
    assert.ok(Buffer.byteLength(s) <= SUMMARY_MAX_BYTES, `${Buffer.byteLength(s)} bytes`);
    assert.match(s, /100,000 files/);
    assert.match(s, /Files by folder/);
  });

  it('names languages, directories and top-level files', () => {
    const s = metadataSummary(bigContext(500));
    assert.match(s, /Languages \(12 of 50\): lang49/);
    assert.match(s, /Source folders, most code first \(12 of 97\): pkg/);
    assert.match(s, /^ {2}pkg\d+\/src\/ \(/m);
  });

  it('puts the question and scope in the first message and no file contents', () => {
    const m = firstUserMessage('How does auth work?', bigContext(10), 'src/auth');
    assert.match(m, /How does auth work\?/);
    assert.match(m, /scoped to the folder "src\/auth"/);
  });

  it('handles an empty workspace', () => {
    const ctx = bigContext(0);
    ctx.tree.dirs = [];
    ctx.tree.fileNames = [];
    assert.match(metadataSummary(ctx), /^- 0 files/);
  });
});

/** A context built by the real map builder from a list of paths (lines per file by extension). */
function contextOf(paths: string[], linesOf: (p: string) => number = () => 100): ContextMap {
  const files = paths.map((path) => ({ path, size: 1000, lines: linesOf(path), language: languageOf(path.split('/').pop()!) }));
  return buildContext([{ name: 'repo' } as never], files, []);
}

/** Shaped like git/git: hundreds of C files at the top level, builtin/, a huge t/ and Documentation/. */
function gitLike(): ContextMap {
  const paths: string[] = ['Makefile', 'README.md', 'COPYING'];
  for (let i = 0; i < 240; i++) paths.push(`file${i}.c`, `file${i}.h`);
  for (let i = 0; i < 130; i++) paths.push(`builtin/cmd${i}.c`);
  for (let i = 0; i < 14; i++) paths.push(`odb/source${i}.c`);
  for (let i = 0; i < 1500; i++) paths.push(`t/t${i}-test.sh`);
  for (let d = 0; d < 20; d++) for (let i = 0; i < 50; i++) paths.push(`t/t${4000 + d}/case${i}.expect`);
  for (let i = 0; i < 540; i++) paths.push(`Documentation/RelNotes/2.${i}.0.adoc`);
  for (let i = 0; i < 400; i++) paths.push(`Documentation/git-cmd${i}.adoc`);
  return contextOf(paths);
}

/** Shaped like a JS monorepo: everything under packages/svelte/, most files tests. */
function monorepo(): ContextMap {
  const paths: string[] = ['package.json', 'README.md'];
  for (let i = 0; i < 300; i++) paths.push(`packages/svelte/src/compiler/phases/p${i}.js`);
  for (let i = 0; i < 100; i++) paths.push(`packages/svelte/src/internal/client/c${i}.js`);
  for (let i = 0; i < 7000; i++) paths.push(`packages/svelte/tests/runtime/samples/s${i}/main.svelte`);
  for (let i = 0; i < 500; i++) paths.push(`documentation/docs/d${i}.md`);
  return contextOf(paths);
}

describe('first message finds the source', () => {
  it('ranks source folders before tests and docs on a git-shaped tree, and lists builtin/ whole', () => {
    const s = metadataSummary(gitLike());
    assert.ok(Buffer.byteLength(s) <= SUMMARY_MAX_BYTES);
    const source = s.split('\n').find((l) => l.startsWith('- Source folders'))!;
    assert.ok(source, s);
    assert.match(source, /the top level \(481 code files/);
    assert.ok(source.indexOf('builtin/') < source.indexOf('odb/'));
    assert.doesNotMatch(source, /\bt\/|Documentation/);
    assert.match(s, /- Tests: t\/ \(2,500 files\)/);
    assert.match(s, /- Docs: Documentation\/ \(940 files\)/);
    // The top-level list is cut with "N of M" and says what it holds.
    assert.match(s, /Files at the top level \(\d+ of 483; by extension: 240 \.c, 240 \.h/);
    // The main source folder's files are all listed, before any test file.
    const row = s.split('\n').find((l) => l.startsWith('  builtin/'))!;
    assert.match(row, /^ {2}builtin\/ \(130\): cmd0\.c, /);
    for (let i = 0; i < 130; i++) assert.ok(row.includes(`cmd${i}.c`), `cmd${i}.c`);
    assert.ok(s.indexOf('  builtin/') < s.indexOf('  odb/'));
    assert.ok(!/^ {2}t\//m.test(s.slice(0, s.indexOf('  odb/'))));
    // .adoc is AsciiDoc, not plaintext.
    assert.match(s, /asciidoc 940 files/);
  });

  it('collapses single-child chains and finds the compiler in a monorepo', () => {
    const s = metadataSummary(monorepo());
    assert.doesNotMatch(s, /(^|[ (;:])packages\/ \(/);
    const source = s.split('\n').find((l) => l.startsWith('- Source folders'))!;
    assert.match(source, /^- Source folders, most code first: packages\/svelte\/src\/ \(400 files, 40,000 lines of code\); packages\/svelte\/ /);
    assert.match(source, /packages\/svelte\/src\/compiler\/phases\/ \(300 files/);
    assert.match(s, /- Tests: packages\/svelte\/tests\/runtime\/samples\/ \(7,000 files\)/);
    assert.ok(s.indexOf('  packages/svelte/src/compiler/phases/ (300)') > 0, s);
    assert.ok(s.indexOf('  packages/svelte/src/compiler/phases/') < s.indexOf('  packages/svelte/tests/'));
  });

  it('says "N of M" when languages are cut', () => {
    assert.match(metadataSummary(bigContext(500)), /Languages \(12 of 50\)/);
  });
});
