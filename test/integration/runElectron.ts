/**
 * `npm run test:electron`: the same integration suites in desktop VS Code through
 * @vscode/test-electron, for machines that can download VS Code (not this project's CI, which has
 * no internet: it uses code-server, see runInCodeServer.ts). Needs the fake model server: pass its
 * URL in RLM_FAKE_URL or let this start one.
 */
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { runTests } from '@vscode/test-electron';
import { copyFixture, startFakeModelServer } from '../../scripts/realVscode/fakeModelServer';
import { fakeScript } from './fixtures/fakeScript';

async function main(): Promise<void> {
  const repo = path.resolve(__dirname, '..', '..');
  const fake = await startFakeModelServer(fakeScript({ apiKey: 'sk-test-rlm-integration' }));
  try {
    const ws = copyFixture(path.join(repo, 'test', 'integration', 'fixtures', 'workspace'));
    const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-electron-'));
    fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
    fs.writeFileSync(
      path.join(userData, 'User', 'settings.json'),
      JSON.stringify({ 'rlm.baseUrl': fake.url, 'rlm.model': 'fake-root', 'rlm.subModel': 'fake-sub', 'workbench.startupEditor': 'none' }),
    );
    await runTests({
      version: '1.100.3',
      extensionDevelopmentPath: repo,
      extensionTestsPath: path.join(repo, 'out', 'test', 'integration', 'index.js'),
      launchArgs: [ws, '--disable-workspace-trust', '--disable-extensions', `--user-data-dir=${userData}`],
    });
  } finally {
    await fake.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
