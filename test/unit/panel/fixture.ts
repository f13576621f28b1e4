/** A small tree with code, secrets, ignored and excluded files: what a reference check must get right. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const FILES: Record<string, string> = {
  'src/a.ts': 'export const a = 1;\nexport const b = 2;\n',
  'src/deep/b.ts': 'export {};\n',
  '.env': 'TOKEN=secret\n',
  '.env.example': 'TOKEN=\n',
  'sub/.env.local': 'X=1\n',
  'keys/server.pem': '-----BEGIN-----\n',
  'node_modules/x/i.js': 'module.exports = 1;\n',
  '.gitignore': 'ignored/\n',
  'ignored/g.ts': 'x\n',
  'sub/.gitignore': '*.log\n',
  'sub/x.log': 'log\n',
  'sub/ok.ts': 'ok\n',
  'dist/out.js': 'x\n',
};
export const PROBES = [...Object.keys(FILES), 'src/missing.ts', 'src//a.ts', 'nope'];

/** Writes FILES into a fresh temp folder for the enclosing describe; returns a getter for it. */
export function fixtureDir(): () => string {
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-filesets-'));
    for (const [rel, text] of Object.entries(FILES)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}
