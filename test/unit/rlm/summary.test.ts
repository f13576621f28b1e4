import { strict as assert } from 'node:assert';
import { firstUserMessage, metadataSummary, SUMMARY_MAX_BYTES } from '../../../src/core/rlm/summary';
import type { ContextMap, DirNode } from '../../../src/core/workspace/types';

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
    assert.match(s, /Sample of paths/);
  });

  it('names languages, directories and top-level files', () => {
    const s = metadataSummary(bigContext(500));
    assert.match(s, /Languages: lang49/);
    assert.match(s, /Largest directories: pkg/);
    assert.match(s, /package\.json/);
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
