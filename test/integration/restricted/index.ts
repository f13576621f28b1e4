/** Entry for the Restricted Mode window (workspace trust on, folder not trusted). */
import * as path from 'node:path';
import { runSuites } from '../index';

export function run(): Promise<void> {
  return runSuites(path.join(__dirname, 'suite'));
}
