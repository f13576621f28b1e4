import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const dirs = new Set<string>();

/** A temp folder removed when this process exits (set RLM_KEEP_TEMP=1 to keep it for debugging). */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (dirs.size === 0 && !process.env.RLM_KEEP_TEMP) process.once('exit', removeAll);
  dirs.add(dir);
  return dir;
}

function removeAll(): void {
  for (const dir of dirs) {
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // a folder still in use by a dying child: nothing more to do at exit
    }
  }
}
