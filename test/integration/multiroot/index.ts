/** Entry for the multi-root window (a .code-workspace with two folders). */
import * as path from 'node:path';
import { runSuites } from '../index';

export function run(): Promise<void> {
  return runSuites(path.join(__dirname, 'suite'));
}
