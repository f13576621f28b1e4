import * as fs from 'node:fs';
import * as path from 'node:path';

const EXTS = new Set(['.js', '.ts', '.mjs', '.cjs', '.md', '.json', '.css', '.txt']);
const MIN_BYTES = 64;
const MAX_BYTES = 32 * 1024;

/** Text files of `source` in a fixed (sorted) order: the material of the synthetic trees. */
export function collectPool(source: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = fs.readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const abs = path.join(dir, name);
      const st = fs.lstatSync(abs);
      if (st.isDirectory()) walk(abs);
      else if (st.isFile() && EXTS.has(path.extname(name)) && st.size >= MIN_BYTES && st.size <= MAX_BYTES) {
        if (!name.startsWith('.') && fs.readFileSync(abs).indexOf(0) === -1) out.push(abs);
      }
    }
  };
  walk(source);
  return out;
}

/** Small seeded PRNG (mulberry32): the same seed gives the same layout on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A tree of `files` real source files copied from the pool into a seeded folder layout
 *  (1-4 levels, 8 names per level), built once and reused: `<dir>.complete` marks it done. */
export function ensureTree(dir: string, files: number, pool: () => string[], seed = 42): string {
  if (fs.existsSync(dir + '.complete') && fs.existsSync(dir)) return dir;
  const material = pool();
  if (material.length === 0) throw new Error('no source files to build the bench tree from');
  const tmp = dir + '.building';
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
  const rand = prng(seed);
  const made = new Set<string>();
  for (let i = 0; i < files; i++) {
    const depth = 1 + Math.floor(rand() * 4);
    const parts: string[] = [];
    for (let d = 0; d < depth; d++) parts.push(`d${Math.floor(rand() * 8)}`);
    const src = material[i % material.length];
    const sub = path.join(tmp, ...parts);
    if (!made.has(sub)) {
      fs.mkdirSync(sub, { recursive: true });
      made.add(sub);
    }
    fs.copyFileSync(src, path.join(sub, `f${i}${path.extname(src)}`));
  }
  fs.renameSync(tmp, dir);
  fs.writeFileSync(dir + '.complete', `${files} files from ${material.length} sources, seed ${seed}\n`);
  return dir;
}
