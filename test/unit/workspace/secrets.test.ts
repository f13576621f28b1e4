import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NodeFileSource, scanWorkspace, type ScanOptions, type Workspace } from '../../../src/core/workspace';
import { findRipgrep } from '../../../src/core/workspace/grepRipgrep';
import { jsEngine, makeTree, rejectsWith, removeTree, tmpDir } from './fixture';

const hasRg = findRipgrep() !== undefined;
const JS: ScanOptions = jsEngine();
const ENGINES: Array<['ripgrep' | 'js', ScanOptions]> = hasRg ? [['ripgrep', {}], ['js', JS]] : [['js', JS]];

// A private key as ssh-keygen/openssl write it (PEM, base64 body starting "MI"); not a real key.
const PEM = ['-----BEGIN RSA PRIVATE KEY-----', 'MIIEowIBAAKCAQEA' + 'q'.repeat(48), ...Array(4).fill('Z'.repeat(64)), '-----END RSA PRIVATE KEY-----'].join('\n');
const GITHUB_TOKEN = 'ghp_' + 'a1B2c3D4e5'.repeat(3) + 'a1B2c3';
const API_KEY = 'sk-configured-key-0123456789abcdef';

async function scan(dir: string, options: ScanOptions = {}): Promise<Workspace> {
  return scanWorkspace([{ name: 'ws', source: new NodeFileSource(dir) }], options);
}

/** Every line any grep returned, hit and context. */
function allLines(r: { hits: Array<{ text: string; before: string[]; after: string[] }> }): string[] {
  return r.hits.flatMap((h) => [...h.before, h.text, ...h.after]);
}

describe('workspace map: secrets by name, by content, hard links and symlink swaps', () => {
  let base: string;
  let dir: string;
  beforeEach(() => {
    base = tmpDir();
    dir = makeTree(
      {
        'src/app.ts': 'const ok = "needle";\n',
        'prod.env': 'DB_PASSWORD=needle-prod\n',
        'secrets.env': 'TOKEN=needle-secrets\n',
        'keys/server.ppk': 'PuTTY-User-Key-File-3: ssh-rsa\nneedle-ppk\n',
        kubeconfig: 'apiVersion: v1\nusers:\n- name: needle-kube\n',
        'deploy/kubeconfig-prod.yaml': 'token: needle-kube2\n',
        'config/secrets.yml': 'production:\n  secret_key_base: needle-rails\n',
        'config/secrets.yaml': 'api: needle-yaml\n',
        'mirror.git/HEAD': 'ref: refs/heads/main\n',
        'mirror.git/config': '[remote "origin"]\n\turl = https://x:needle-bare@example.com/r.git\n',
        'mirror.git/objects/info/packs': '\n',
        'mirror.git/refs/heads/main': '0'.repeat(40) + '\n',
        'gcp-key.json': JSON.stringify({ type: 'service_account', project_id: 'p', private_key_id: 'needle-gcp', private_key: PEM + '\n' }, null, 2),
        '.env': 'OPENAI_API_KEY=needle-dotenv\n',
      },
      path.join(base, 'ws'),
    );
  });
  afterEach(() => removeTree(base));

  const secretFiles = ['prod.env', 'secrets.env', 'keys/server.ppk', 'kubeconfig', 'deploy/kubeconfig-prod.yaml', 'config/secrets.yml', 'config/secrets.yaml', 'mirror.git/config', 'gcp-key.json'];

  it('refuses secret files by name (and a bare repository whole, and a service-account key by content) in readFile', async () => {
    const ws = await scan(dir);
    for (const p of secretFiles) await rejectsWith(ws.readFile(p), 'file-secret', /secret/);
    assert.deepEqual(ws.context.files.map((f) => f.path).filter((p) => p !== 'gcp-key.json'), ['src/app.ts']);
    assert.ok(ws.context.skipped.some((s) => s.path === 'mirror.git' && s.reason === 'secret'));
  });

  for (const [engine, options] of ENGINES) {
    it(`never returns a secret file's lines from grep (${engine})`, async () => {
      const ws = await scan(dir, options);
      const r = await ws.grep('needle', { contextLines: 2 });
      assert.deepEqual(r.hits.map((h) => h.path), ['src/app.ts']);
    });
  }

  it('reads a service-account key only when the user allows its path', async () => {
    const ws = await scan(dir, { allowSecrets: ['gcp-key.json'], maskSecrets: false });
    assert.match(await ws.readFile('gcp-key.json'), /needle-gcp/);
  });

  describe('hard links', () => {
    beforeEach(() => {
      fs.linkSync(path.join(dir, '.env'), path.join(dir, 'notes.txt'));
      fs.writeFileSync(path.join(base, 'outside-secret'), 'needle-outside\n');
      fs.linkSync(path.join(base, 'outside-secret'), path.join(dir, 'src/readme.txt'));
    });

    it('refuses a file with more than one hard link (its other name may be a secret) in readFile', async () => {
      const ws = await scan(dir);
      await rejectsWith(ws.readFile('notes.txt'), 'file-hardlink', /notes\.txt has 2 hard links/);
      await rejectsWith(ws.readFile('src/readme.txt', { start: 1, end: 1 }), 'file-hardlink', /hard links/);
      assert.equal(await ws.readFile('src/app.ts'), 'const ok = "needle";\n');
    });

    for (const [engine, options] of ENGINES) {
      it(`returns no grep hit from a hard-linked file (${engine})`, async () => {
        const ws = await scan(dir, options);
        assert.deepEqual((await ws.grep('needle', {})).hits.map((h) => h.path), ['src/app.ts']);
      });
    }

    it('reads a hard-linked file the user allows explicitly', async () => {
      const ws = await scan(dir, { allowSecrets: ['notes.txt'] });
      assert.equal(await ws.readFile('notes.txt'), 'OPENAI_API_KEY=needle-dotenv\n');
      assert.deepEqual((await ws.grep('needle', {})).hits.map((h) => h.path), ['notes.txt', 'src/app.ts']);
    });
  });

  describe('masking secrets inside files', () => {
    beforeEach(() => {
      fs.writeFileSync(path.join(dir, 'src/config.ts'), `// deploy key\nconst key = \`\n${PEM}\n\`;\nconst gh = "${GITHUB_TOKEN}"; // token\nconst mine = "${API_KEY}";\nexport const after = 1;\n`);
    });

    it('masks private keys, tokens and the configured API key in readFile, keeping line numbers', async () => {
      const ws = await scan(dir, { knownSecrets: [API_KEY] });
      const text = await ws.readFile('src/config.ts');
      assert.ok(!text.includes('MIIE') && !text.includes(GITHUB_TOKEN) && !text.includes(API_KEY), text);
      assert.match(text, /\[secret masked: privatekey\]/);
      assert.match(text, /const gh = "\[secret masked: github\]"; \/\/ token/);
      assert.match(text, /const mine = "\[secret masked: api-key\]";/);
      const lines = ws.context.files.find((f) => f.path === 'src/config.ts')!.lines;
      assert.equal(text.split('\n').length - 1, lines, 'same line count as the scan');
      assert.equal(await ws.readFile('src/config.ts', { start: lines, end: lines }), 'export const after = 1;');
      assert.equal(await ws.readFile('src/config.ts', { start: 5, end: 5 }), '', 'a line inside the key block is empty');
    });

    for (const [engine, options] of ENGINES) {
      it(`masks grep lines and never matches on a secret (${engine})`, async () => {
        const ws = await scan(dir, { ...options, knownSecrets: [API_KEY] });
        const all = await ws.grep('.', { glob: 'src/config.ts', contextLines: 3 });
        for (const l of allLines(all)) assert.ok(!/MIIE|ZZZZ|ghp_|sk-configured/.test(l), l);
        // A match on the secret itself is no hit: a pattern cannot probe a token character by character.
        assert.deepEqual((await ws.grep('ghp_a1B', {})).hits, []);
        assert.deepEqual((await ws.grep('sk-configured', {})).hits, []);
        assert.deepEqual((await ws.grep('ZZZZZZZZ', {})).hits, []);
        // A match beside a secret is a hit, shown masked.
        const t = await ws.grep('// token', {});
        assert.deepEqual(t.hits.map((h) => h.text), ['const gh = "[secret masked: github]"; // token']);
      });
    }

    it('shows file text as it is when masking is off (a trusted workspace)', async () => {
      const ws = await scan(dir, { knownSecrets: [API_KEY], maskSecrets: false });
      assert.ok((await ws.readFile('src/config.ts')).includes(GITHUB_TOKEN));
      assert.equal((await ws.grep('ghp_a1B', {})).hits.length, 1);
    });
  });

  // A background process swaps a mapped folder for a symlink to a folder outside the workspace
  // that holds files of the same names, and back, while greps run: ripgrep lists `lib` as a
  // folder, then opens `lib/...` by path, through whatever `lib` is by then.
  for (const [engine, options] of ENGINES) {
    it(`never returns an outside file's lines while a mapped folder is swapped for a symlink (${engine})`, async function () {
      this.timeout(60_000);
      fs.mkdirSync(path.join(base, 'outside-lib'));
      fs.mkdirSync(path.join(dir, 'lib'));
      for (let i = 0; i < 20; i++) {
        fs.writeFileSync(path.join(base, 'outside-lib', `f${i}.txt`), 'OUTSIDE needle line\n'.repeat(20));
        fs.writeFileSync(path.join(dir, 'lib', `f${i}.txt`), 'inside needle line\n'.repeat(20));
      }
      const ws = await scan(dir, options);
      const script = `
        const fs = require('fs'); const p = require('path');
        const [dir, outside] = process.argv.slice(1);
        const lib = p.join(dir, 'lib'), real = lib + '.real';
        const end = Date.now() + 20000;
        while (Date.now() < end) {
          try { fs.renameSync(lib, real); fs.symlinkSync(outside, lib); } catch {}
          for (const t = Date.now() + 2; Date.now() < t;);
          try { fs.unlinkSync(lib); fs.renameSync(real, lib); } catch {}
          for (const t = Date.now() + 2; Date.now() < t;);
        }`;
      const swapper = spawn(process.execPath, ['-e', script, dir, path.join(base, 'outside-lib')], { stdio: 'ignore' });
      try {
        for (let i = 0; i < (engine === 'js' ? 5 : 20); i++) {
          const r = await ws.grep('needle', { glob: 'lib/*.txt', maxResults: 1000 });
          for (const l of allLines(r)) assert.ok(!l.includes('OUTSIDE'), `grep ${i} returned an outside line: ${l}`);
        }
      } finally {
        swapper.kill('SIGKILL');
      }
    });
  }
});
