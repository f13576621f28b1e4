/** outline() inside the real extension host: the window's language servers first, tree-sitter
 *  (the core's parser thread) when none answers. Which one answered is printed for the log. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { scanWorkspace } from '../../../src/core/workspace/workspace';
import { languageServersFirst, type LanguageServerStructure } from '../../../src/vscode/languageServerStructure';
import { VscodeFileSource } from '../../../src/vscode/vscodeFileSource';
import { readyExtension } from './ready';

// The extension's own bundled parser thread (this suite is bundled into out/, away from dist/).
const WORKER = { structureWorkerPath: path.join(vscode.extensions.getExtension('rlm-team.rlm-vscode')!.extensionPath, 'dist', 'structureWorker.js') };

describe('code structure in VS Code', () => {
  before(async () => {
    await readyExtension();
  });

  it('outlines a TypeScript file of the window (a language server or tree-sitter answers, same rows)', async () => {
    const folder = vscode.workspace.workspaceFolders![0];
    const roots = [{ name: folder.name, source: new VscodeFileSource(folder.uri) }];
    const ws = await scanWorkspace(roots, WORKER);
    const s = languageServersFirst(ws, roots, 5000) as LanguageServerStructure;
    const r = await s.outline('src/math.ts');
    console.log(`outline(src/math.ts) answered by ${s.lastSource}`);
    assert.ok(s.lastSource === 'language-server' || s.lastSource === 'tree-sitter');
    assert.deepEqual(
      r.items.map((i) => `${i.name} ${i.kind} ${i.start}-${i.end}`),
      ['add function 1-3', 'mul function 5-7'],
    );
    assert.deepEqual(await s.enclosing('src/math.ts', 6), { name: 'mul', kind: 'function', start: 5, end: 7 });
    await assert.rejects(s.outline('src/nowhere.ts'), /not found: src\/nowhere\.ts/);
  });

  it('falls back to tree-sitter for a language no server of the window knows (Ruby)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-structure-'));
    try {
      fs.writeFileSync(path.join(dir, 'shop.rb'), 'class Shop\n  def total(items)\n    items.sum\n  end\nend\n');
      const roots = [{ name: 'shop', source: new VscodeFileSource(vscode.Uri.file(dir)) }];
      const ws = await scanWorkspace(roots, WORKER);
      const s = languageServersFirst(ws, roots, 2000) as LanguageServerStructure;
      const r = await s.outline('shop.rb');
      console.log(`outline(shop.rb) answered by ${s.lastSource}`);
      assert.equal(s.lastSource, 'tree-sitter');
      assert.deepEqual(r.items, [
        { name: 'Shop', kind: 'class', start: 1, end: 5 },
        { name: 'total', kind: 'method', start: 2, end: 4, container: 'Shop' },
      ]);
      const refs = await s.references('items', {});
      assert.deepEqual(refs.items.map((x) => `${x.line} ${x.enclosing}`), ['2 Shop.total', '3 Shop.total']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
