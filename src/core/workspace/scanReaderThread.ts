// A scan reader thread (ScanReaders in scanReaders.ts starts it; esbuild.mjs bundles it as
// dist/scanReaderThread.js): reads each file exactly as an inline scan read does, through
// NodeFileSource.readForScanSync (regular files only, O_NOFOLLOW, O_NONBLOCK, capped) and
// scanReadOf, and answers a batch with two numbers per file. Paths come from the host's own walk.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { RlmError } from '../errors';
import { NodeFileSource } from './nodeFileSource';
import { encodeRead, scanReadOf, type ReaderRequest, type ScanRead } from './scanReaders';

const sources = new Map<string, NodeFileSource>();

function readOne(source: NodeFileSource, rel: string, max: number): ScanRead {
  let bytes: Uint8Array;
  try {
    bytes = source.readForScanSync(rel, max);
  } catch (err) {
    return { kind: err instanceof RlmError && err.code === 'file-special' ? 'special' : 'unreadable' };
  }
  const read = scanReadOf(bytes, max - 1);
  if (read.kind !== 'too-large') return read;
  try {
    return { kind: 'too-large', size: Math.max(read.size, fs.lstatSync(path.join(source.localRoot, rel)).size) };
  } catch {
    return read;
  }
}

parentPort!.on('message', (m: ReaderRequest) => {
  let source = sources.get(m.root);
  if (!source) sources.set(m.root, (source = new NodeFileSource(m.root)));
  const out = new Float64Array(m.rels.length * 2);
  for (let k = 0; k < m.rels.length; k++) encodeRead(readOne(source, m.rels[k], m.max), out, k);
  parentPort!.postMessage({ id: m.id, out }, [out.buffer]);
});
