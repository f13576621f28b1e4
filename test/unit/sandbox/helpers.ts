import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RlmError } from '../../../src/core/errors';
import { SandboxPool } from '../../../src/core/sandbox/pool';
import type { CellResult, SandboxLimits, SandboxSession, SubcallHost } from '../../../src/core/sandbox/types';
import { NodeFileSource, scanWorkspace, type Workspace } from '../../../src/core/workspace';

/** The built sandbox bundle (`npm run build` makes it). */
export const SANDBOX_SCRIPT = path.join(__dirname, '..', '..', '..', 'dist', 'sandbox.js');

/** A small real workspace on disk, scanned with the project's own scanner. */
export async function makeWorkspace(): Promise<{ dir: string; workspace: Workspace; cleanup(): void }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rlm-sbx-'));
  const files: Record<string, string> = {
    'src/a.ts': 'export const a = 1;\n// TODO: first\nexport function add(x: number) {\n  return x + a;\n}\n',
    'src/b.ts': 'import { a } from "./a";\n// TODO: second\nconsole.log(a);\n',
    'README.md': '# Demo\nA tiny workspace.\n',
    '.env': 'API_KEY=sk-secret\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  if (process.platform !== 'win32') execFileSync('mkfifo', [path.join(dir, 'src', 'pipe.ts')]);
  const workspace = await scanWorkspace([{ name: 'ws', source: new NodeFileSource(dir) }]);
  return { dir, workspace, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Sub-call host for tests: echoes prompts and records calls. Prompts steer it:
 *  "FAIL" throws an RlmError, "HOSTERR" throws a host Error with a path, "SLOW" waits 150 ms. */
export class RecordingSubcalls implements SubcallHost {
  readonly calls: Array<{ kind: 'llm' | 'rlm'; prompt: string; model?: string; text?: string }> = [];
  readonly signals: AbortSignal[] = [];
  inFlight = 0;
  maxInFlight = 0;

  async llmQuery(prompt: string, options: { model?: string }, signal: AbortSignal): Promise<string> {
    this.calls.push({ kind: 'llm', prompt, model: options.model });
    return this.answer(`echo:${prompt}`, prompt, signal);
  }

  async rlmQuery(prompt: string, text: string | undefined, signal: AbortSignal): Promise<string> {
    this.calls.push({ kind: 'rlm', prompt, text });
    return this.answer(`rlm:${prompt}|${text ?? ''}`, prompt, signal);
  }

  private async answer(reply: string, prompt: string, signal: AbortSignal): Promise<string> {
    this.signals.push(signal);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, prompt.includes('SLOW') ? 150 : 5));
      if (prompt.includes('FAIL')) throw new RlmError(`model refused: ${prompt}`, 'test-fail');
      if (prompt.includes('HOSTERR')) throw new Error('ENOENT: /work/secret/host/path.json');
      return reply;
    } finally {
      this.inFlight--;
    }
  }
}

export interface Harness {
  pool: SandboxPool;
  subcalls: RecordingSubcalls;
  workspace: Workspace;
  dir: string;
  open(limits?: Partial<SandboxLimits>): Promise<SandboxSession>;
  close(): Promise<void>;
}

/** One pool and workspace per test file; sessions opened through it are disposed at close(). */
export async function makeHarness(limits?: Partial<SandboxLimits>): Promise<Harness> {
  const ws = await makeWorkspace();
  const pool = new SandboxPool({ scriptPath: SANDBOX_SCRIPT, limits });
  const subcalls = new RecordingSubcalls();
  const sessions: SandboxSession[] = [];
  return {
    pool,
    subcalls,
    workspace: ws.workspace,
    dir: ws.dir,
    async open(l) {
      const s = await pool.openSession({ workspace: ws.workspace, subcalls, limits: l });
      sessions.push(s);
      return s;
    },
    async close() {
      await Promise.all(sessions.map((s) => s.dispose()));
      await pool.dispose();
      ws.cleanup();
    },
  };
}

/** Runs cells in order and returns the last result; throws if an earlier one failed. */
export async function run(session: SandboxSession, ...cells: string[]): Promise<CellResult> {
  let last: CellResult | undefined;
  for (const [i, code] of cells.entries()) {
    last = await session.runCell(code);
    if (i < cells.length - 1 && (last.error || last.killed)) throw new Error(`cell ${i + 1} failed: ${last.error}`);
  }
  return last!;
}

/** Registers the usual hooks: one harness per file, a fresh session (and empty call log) per test. */
export function sessionPerTest(use: (h: Harness, s: SandboxSession) => void): void {
  let h: Harness;
  let s: SandboxSession;
  before(async () => {
    h = await makeHarness();
  });
  after(async () => h.close());
  beforeEach(async () => {
    s = await h.open();
    h.subcalls.calls.length = 0;
    use(h, s);
  });
  afterEach(async () => s.dispose());
}
