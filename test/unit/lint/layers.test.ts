/** The layer rule of docs/ARCHITECTURE.md lives in eslint.config.mjs (`no-restricted-imports` per
 *  folder). These tests lint sample text as if it were a file in each folder, through ESLint's Node
 *  API with the project's real config, so the rule cannot pass vacuously. */
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const ROOT = join(__dirname, '..', '..', '..');

describe('layer rule (ESLint)', function () {
  this.timeout(120_000);
  let eslint: ESLint;
  before(() => {
    eslint = new ESLint({ cwd: ROOT });
  });

  /** The layer-rule messages ESLint reports for `text` placed at `file` (relative to the repository). */
  async function layerErrors(file: string, text: string): Promise<string[]> {
    const [result] = await eslint.lintText(text, { filePath: join(ROOT, file) });
    return result.messages
      .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
      .map((m) => `${m.line}: ${m.message}`);
  }

  it("a deliberate import of 'vscode' in src/core fails the lint", async () => {
    const errors = await layerErrors('src/core/workspace/layerProbe.ts', "import * as vscode from 'vscode';\nexport const x = vscode;\n");
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0], /^1: 'vscode' import is restricted.*Layer rule/);
  });

  it('src/core may import neither src/vscode, the webview nor the CLI, in any import form', async () => {
    const text = [
      "import { activate } from '../../vscode/extension';",
      "import type { RunPanel } from '../../vscode/panel/runPanel';",
      "export { renderTree } from '../../../webview/recursionTree';",
      "import { parseArgs } from '../../cli/args';",
      "export const lazy = () => import('vscode');",
      'export type T = [typeof activate, RunPanel, typeof parseArgs];',
    ].join('\n');
    const errors = await layerErrors('src/core/rlm/layerProbe.ts', text);
    assert.deepEqual(errors.map((e) => Number(e.split(':')[0])), [1, 2, 3, 4, 5], errors.join('\n'));
  });

  it('the CLI may not import vscode or src/vscode', async () => {
    assert.equal((await layerErrors('src/cli.ts', "import { window } from 'vscode';\nexport const w = window;\n")).length, 1);
    assert.equal((await layerErrors('src/cli/layerProbe.ts', "import { RunController } from '../vscode/runController';\nexport const r = RunController;\n")).length, 1);
  });

  it('webview code may import neither vscode, Node built-ins nor src/core; src/panelProtocol.ts is allowed', async () => {
    const text = [
      "import * as vscode from 'vscode';",
      "import * as fs from 'node:fs';",
      "import * as path from 'path';",
      "import { runRlm } from '../src/core/rlm/run';",
      "import { RunController } from '../src/vscode/runController';",
      "import type { HostToPanel } from '../src/panelProtocol';",
      'export type T = [typeof vscode, typeof fs, typeof path, typeof runRlm, typeof RunController, HostToPanel];',
    ].join('\n');
    const errors = await layerErrors('webview/layerProbe.ts', text);
    assert.deepEqual(errors.map((e) => Number(e.split(':')[0])), [1, 2, 3, 4, 5], errors.join('\n'));
  });

  it('the same imports are fine in src/vscode (the rule is per folder)', async () => {
    const errors = await layerErrors('src/vscode/layerProbe.ts', "import * as vscode from 'vscode';\nimport { runRlm } from '../core/rlm/run';\nexport const x = [vscode, runRlm];\n");
    assert.deepEqual(errors, []);
  });
});
