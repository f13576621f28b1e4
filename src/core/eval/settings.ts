/**
 * eval.json: what an output folder's results were made with. A rerun into the same folder must
 * use the same models, budgets and baseline size, or the resumed table would mix two set-ups.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { RlmError } from '../errors';
import type { Budgets } from '../rlm/types';
import type { Mode } from './results';

export interface EvalSettings {
  dataset: string;
  rootModel: string;
  subModel: string;
  /** Host of the endpoint (never the full URL: it may carry a key). */
  endpoint?: string;
  /** Per-question budgets (concurrency aside: it changes speed, not results). */
  budgets: Omit<Budgets, 'concurrency'>;
  /** Context size of the direct baseline, in characters. */
  directChars: number;
  modes: Mode[];
}

export const SETTINGS_FILE = 'eval.json';

/** Reads the folder's settings (undefined for a fresh folder), refuses a different set-up, then records the modes asked now too. */
export async function claimOutDir(outDir: string, now: EvalSettings): Promise<EvalSettings> {
  await fsp.mkdir(outDir, { recursive: true });
  const file = join(outDir, SETTINGS_FILE);
  let stored: EvalSettings | undefined;
  try {
    stored = JSON.parse(await fsp.readFile(file, 'utf8')) as EvalSettings;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new RlmError(`${file} is damaged; choose another output folder or delete it`, 'eval-out');
  }
  if (stored) {
    const conflict = differs(stored, now);
    if (conflict) {
      throw new RlmError(`${outDir} holds results made with ${conflict}; rerun with the same settings to resume, or choose another output folder`, 'eval-out');
    }
  }
  const merged: EvalSettings = { ...now, modes: [...new Set([...(stored?.modes ?? []), ...now.modes])] };
  await fsp.writeFile(file, `${JSON.stringify(merged, null, 2)}\n`);
  return merged;
}

function differs(a: EvalSettings, b: EvalSettings): string | undefined {
  if (a.rootModel !== b.rootModel) return `root model "${a.rootModel}" (now "${b.rootModel}")`;
  if (a.subModel !== b.subModel) return `sub-model "${a.subModel}" (now "${b.subModel}")`;
  for (const k of Object.keys(b.budgets) as (keyof EvalSettings['budgets'])[]) {
    if (JSON.stringify(a.budgets?.[k]) !== JSON.stringify(b.budgets[k])) return `budget ${k} = ${JSON.stringify(a.budgets?.[k])} (now ${JSON.stringify(b.budgets[k])})`;
  }
  if (a.modes?.includes('direct') && b.modes.includes('direct') && a.directChars !== b.directChars) {
    return `a direct-baseline context of ${a.directChars} characters (now ${b.directChars})`;
  }
  return undefined;
}
