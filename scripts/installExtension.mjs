// `npm run install-extension`, after `npm run package` built rlm-vscode.vsix: installs it into the VS Code
// whose `code` command is on PATH (or RLM_CODE_COMMAND, e.g. code-insiders), else says how to by hand.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const vsix = resolve('rlm-vscode.vsix');
if (!existsSync(vsix)) {
  console.error(`${vsix} is missing: run "npm run package" first.`);
  process.exit(1);
}
const code = process.env.RLM_CODE_COMMAND || 'code';
const byHand = `Install it by hand: in VS Code run "Extensions: Install from VSIX..." (Command Palette) and pick\n  ${vsix}\nor put VS Code's "code" command on PATH (Command Palette: "Shell Command: Install 'code' command in PATH") and run this again.`;
// A shell on Windows, where `code` is code.cmd.
const found = spawnSync(code, ['--version'], { encoding: 'utf8', shell: process.platform === 'win32' });
if (found.error || found.status !== 0) {
  console.log(`Built ${vsix}.\nNo "${code}" command on PATH. ${byHand}`);
  process.exit(0);
}
const installed = spawnSync(code, ['--install-extension', vsix, '--force'], { stdio: 'inherit', shell: process.platform === 'win32' });
if (installed.status !== 0) {
  console.error(`"${code} --install-extension" failed. ${byHand}`);
  process.exit(1);
}
console.log('Installed. Reload VS Code windows that are open ("Developer: Reload Window"), then ask @rlm in Chat or run "RLM: Ask the Repo".');
