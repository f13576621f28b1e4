import { strict as assert } from 'node:assert';
import type { TraceEvent } from '../../../src/core/trace/types';
import { answerRefs, demoteHeadings, trajectoryToMarkdown } from '../../../src/vscode/history/exportRun';
import { refKey } from '../../../src/fileRefs';

const ANSWER = '## Summary\n\nSee `src/a.ts:1` and src/gone.ts:3; `res.json()` parses.\n\n```md\n## not a heading\n```\n# Top';
const events: TraceEvent[] = [
  { type: 'run.start', id: 'r', ts: 0, runId: 'run1', question: 'q', depth: 0, rootModel: 'm', subModel: 's', workspace: { root: '/w', files: 2, bytes: 10 } },
  { type: 'run.end', id: 'e', parentId: 'r', ts: 5, status: 'answered', answer: ANSWER, iterations: 1, subcalls: 0, usage: {}, costUsd: null, ms: 5 },
];

describe('Markdown export', () => {
  it('nests the answer\'s headings below "## Answer" (not inside code fences)', () => {
    assert.equal(demoteHeadings('# A\n## B\n```\n# code\n```\n###### F'), '### A\n#### B\n```\n# code\n```\n###### F');
  });

  it('keeps the verified / unverified marks of the answer\'s references', () => {
    const refs = answerRefs(events);
    assert.deepEqual(refs.map((r) => r.path), ['src/a.ts', 'src/gone.ts']);
    const verified = new Map([[refKey(refs[0]), true], [refKey(refs[1]), false]]);
    const md = trajectoryToMarkdown(events, verified);
    assert.match(md, /## Answer\n\n_File references checked against the workspace at export: 1 found, 1 not found/);
    assert.match(md, /#### Summary/);
    assert.match(md, /`src\/a\.ts:1` and src\/gone\.ts:3 _\(unverified\)_;/);
    assert.doesNotMatch(md, /src\/a\.ts:1` _\(unverified/);
    assert.match(md, /`res\.json\(\)` parses/);
    assert.match(md, /```md\n## not a heading\n```/);
  });
});
