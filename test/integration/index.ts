/** Mocha inside the real VS Code extension host: VS Code calls run() (extensionTestsPath).
 *  Suites must not depend on each other's order: with RLM_TEST_SHUFFLE=<seed> in the environment,
 *  the suite files and the tests inside each suite run in an order shuffled by that seed. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
// The benchmarks' seeded PRNG (mulberry32): a failing shuffled order replays from its seed.
import { prng } from '../../bench/lib/syntheticTree';

/** Whether the extension was active before any suite ran (the lazy-activation test reads it). */
export const ACTIVE_AT_START = 'rlmExtensionActiveAtStart';

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}

function shuffleSuite(suite: Mocha.Suite, random: () => number): void {
  shuffle(suite.suites, random);
  shuffle(suite.tests, random);
  for (const s of suite.suites) shuffleSuite(s, random);
}

export function runSuites(dir: string): Promise<void> {
  (globalThis as Record<string, unknown>)[ACTIVE_AT_START] = vscode.extensions.getExtension('rlm-team.rlm-vscode')?.isActive;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
  // RLM_TEST_SUITES=chat,history runs only those suite files (while working on one of them).
  const only = process.env.RLM_TEST_SUITES?.split(',').map((s) => `${s.trim()}.test.js`);
  const files = fs.readdirSync(dir).filter((n) => n.endsWith('.test.js') && (!only || only.includes(n))).sort();
  const seed = process.env.RLM_TEST_SHUFFLE ? Number(process.env.RLM_TEST_SHUFFLE) : undefined;
  const random = seed === undefined || !Number.isFinite(seed) ? undefined : prng(seed);
  if (random) shuffle(files, random);
  for (const f of files) mocha.addFile(path.join(dir, f));
  if (random) {
    // Loaded here to shuffle the tests; run() must not load them again (public in Mocha, not in its types).
    const loader = mocha as unknown as { loadFiles(): void; lazyLoadFiles(enable: boolean): void };
    loader.loadFiles();
    loader.lazyLoadFiles(true);
    shuffleSuite(mocha.suite, random);
    console.log(`Shuffled with seed ${seed}: ${mocha.suite.suites.map((s) => s.title).join(' | ')}`);
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
  });
}

export function run(): Promise<void> {
  return runSuites(path.join(__dirname, 'suite'));
}
