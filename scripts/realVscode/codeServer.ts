/**
 * Starts a real VS Code (code-server) on a loopback port with throwaway profile folders, and stops
 * it with its whole process group. Used by the integration and end-to-end runners.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { tempDir } from './tempDirs';

export const TOOLS_DIR = process.env.RLM_TOOLS_DIR ?? path.join(os.homedir(), '.cache', 'rlm-tools');
export const CODE_SERVER_BIN = path.join(TOOLS_DIR, 'code-server', 'node_modules', '.bin', 'code-server');

export interface CodeServerOptions {
  /** Folder the workbench opens. */
  workspace: string;
  /** User settings.json content. */
  settings?: Record<string, unknown>;
  /** .vsix files installed before start. */
  vsix?: string[];
  /** Keep workspace trust on (to test restricted mode). Default: trust disabled (everything trusted). */
  workspaceTrust?: boolean;
  /** Reuse profile folders (to survive a restart); default a fresh temp folder. */
  profileDir?: string;
  /** Extra environment for the server (reaches the extension host). */
  env?: Record<string, string>;
  log?: (line: string) => void;
}

export interface CodeServer {
  url: string;
  port: number;
  profileDir: string;
  userDataDir: string;
  /** Server stdout/stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

export function assertCodeServerInstalled(): void {
  if (!fs.existsSync(CODE_SERVER_BIN)) {
    throw new Error(`code-server not found at ${CODE_SERVER_BIN}; run scripts/install-code-server.sh first`);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server did not answer /healthz within ${timeoutMs} ms`);
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  assertCodeServerInstalled();
  const profileDir = options.profileDir ?? tempDir('rlm-cs-');
  const userDataDir = path.join(profileDir, 'user-data');
  const extensionsDir = path.join(profileDir, 'extensions');
  const xdgConfig = path.join(profileDir, 'xdg-config');
  const xdgData = path.join(profileDir, 'xdg-data');
  for (const d of [userDataDir, extensionsDir, xdgConfig, xdgData, path.join(userDataDir, 'User')]) {
    fs.mkdirSync(d, { recursive: true });
  }
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'window.restoreWindows': 'none',
    ...options.settings,
  };
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const port = await freePort();
  const cfg = path.join(profileDir, 'config.yaml');
  fs.writeFileSync(cfg, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: xdgConfig,
    XDG_DATA_HOME: xdgData,
    ...options.env,
  };
  const baseArgs = ['--config', cfg, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  for (const vsix of options.vsix ?? []) {
    execFileSync(CODE_SERVER_BIN, [...baseArgs, '--install-extension', vsix, '--force'], { env, stdio: 'pipe' });
  }
  const args = [
    ...baseArgs,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
    options.workspace,
  ];
  let out = '';
  // detached = its own process group (setsid), so stop() ends the extension host too.
  const child = spawn(CODE_SERVER_BIN, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const onData = (b: Buffer) => {
    const s = b.toString();
    out += s;
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
    options.log?.(s);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(url, child, 30_000);
  } catch (err) {
    killGroup(child);
    throw new Error(`${(err as Error).message}\n${out}`);
  }
  return {
    url,
    port,
    profileDir,
    userDataDir,
    output: () => out,
    stop: async () => {
      killGroup(child);
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const t = setTimeout(() => {
          killGroup(child, 'SIGKILL');
          resolve();
        }, 5000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
      // The extension host may linger a moment after the main process; make sure the group is gone.
      killGroup(child, 'SIGKILL');
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
