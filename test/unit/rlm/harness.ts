import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { OpenAIChatModel } from '../../../src/core/llm/openaiModel';
import { Run } from '../../../src/core/rlm/run';
import type { RunOptions } from '../../../src/core/rlm/types';
import { SandboxPool } from '../../../src/core/sandbox/pool';
import type { RunEndEvent, TraceEvent } from '../../../src/core/trace/types';
import { NodeFileSource, scanWorkspace } from '../../../src/core/workspace';
import { startFakeServer, type FakeScript, type FakeServer } from '../../fakeServer/server';

export const SANDBOX_SCRIPT = join(__dirname, '..', '..', '..', 'dist', 'sandbox.js');
export const API_KEY = 'sk-test-SECRETKEY-0123456789abcdef';
export const DOTENV_SECRET = 'hunter2-DOTENV-SECRET-VALUE';
export const AUTH_MARKER = 'UNIQUE_AUTH_MARKER_7731';

/** A small repository on disk: code, a README, an ignored build folder and a .env secret. */
export function makeFixtureRepo(): string {
  const root = mkdtempSync(join(tmpdir(), 'rlm-engine-'));
  const files: Record<string, string> = {
    'package.json': '{ "name": "shop", "version": "1.0.0" }\n',
    'README.md': '# Shop\nA tiny shop. See src/auth.ts for login.\n',
    'src/auth.ts': `// ${AUTH_MARKER}\nexport function login(user: string, password: string) {\n  return checkPassword(user, password);\n}\n\nfunction checkPassword(u: string, p: string) {\n  return u.length > 0 && p.length > 7;\n}\n`,
    'src/db.ts': 'export const db = new Map<string, string>();\nexport function save(k: string, v: string) { db.set(k, v); }\n',
    'src/util/strings.ts': 'export const upper = (s: string) => s.toUpperCase();\n',
    '.env': `API_TOKEN=${DOTENV_SECRET}\n`,
    '.gitignore': 'build/\n',
    'build/out.js': 'console.log("built")\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

export interface Harness {
  server: FakeServer;
  root: string;
  pool: SandboxPool;
  events: TraceEvent[];
  /** Runs to the end; `follow` sees every event with the run's id, as a host does. */
  run(question: string, extra?: Partial<RunOptions>, follow?: (runId: string, event: TraceEvent) => void): Promise<RunEndEvent>;
  close(): Promise<void>;
}

export async function harness(script: FakeScript, opts: { subModel?: string; timeoutMs?: number } = {}): Promise<Harness> {
  const server = await startFakeServer({ apiKey: API_KEY, ...script });
  const root = makeFixtureRepo();
  const pool = new SandboxPool({ scriptPath: SANDBOX_SCRIPT });
  const events: TraceEvent[] = [];
  const model = (id: string) =>
    new OpenAIChatModel({ baseURL: server.url, apiKey: API_KEY, model: id, retryBaseMs: 5, timeoutMs: opts.timeoutMs ?? 10_000 });
  return {
    server,
    root,
    pool,
    events,
    async run(question, extra = {}, follow) {
      const workspace = await scanWorkspace([{ name: 'shop', source: new NodeFileSource(root) }]);
      const run: Run = new Run(
        {
          question,
          workspace,
          rootModel: model('root-model'),
          subModel: model(opts.subModel ?? 'sub-model'),
          onEvent: (e) => {
            events.push(e);
            follow?.(run.id, e);
          },
          ...extra,
        },
        { sandbox: pool, secrets: [API_KEY] },
      );
      return run.start();
    },
    async close() {
      await pool.dispose();
      await server.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export const js = (code: string) => '```js\n' + code + '\n```';

export function requestText(server: FakeServer): string {
  return JSON.stringify(server.requests.map((r) => ({ h: r.headers, b: r.body })));
}

/** The messages of every request the root model received. */
export function rootRequests(server: FakeServer): { role: string; content: string }[][] {
  return server.requests
    .filter((r) => r.model === 'root-model')
    .map((r) => (r.body as { messages: { role: string; content: string }[] }).messages);
}
