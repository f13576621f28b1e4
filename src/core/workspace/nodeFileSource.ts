import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { RlmError } from '../errors';
import type { DirEntry, EntryKind, FileSource, FileStat, ReadOptions } from './types';

// The callback API is measurably faster than fs.promises' FileHandle for many small files.
const fsOpen = promisify(fs.open);
const fsFstat = promisify(fs.fstat);
const fsRead = promisify(fs.read);
const fsClose = promisify(fs.close);
const fsReaddir = promisify(fs.readdir);
const fsLstat = promisify(fs.lstat);
const fsRealpath = promisify(fs.realpath);
const fsReadlink = promisify(fs.readlink);

// O_NONBLOCK: opening a FIFO must never wait for a writer (and starve the libuv pool).
// O_NOFOLLOW: a final component swapped for a symlink after the scan fails to open.
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0) | (fs.constants.O_NOFOLLOW ?? 0);

// On Linux the kernel tells us where an open descriptor really points, race-free.
const PROC_FD = process.platform === 'linux' && fs.existsSync('/proc/self/fd') ? '/proc/self/fd/' : undefined;

function kindOf(d: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): EntryKind {
  if (d.isSymbolicLink()) return 'symlink';
  if (d.isFile()) return 'file';
  if (d.isDirectory()) return 'directory';
  return 'other';
}

/** True when `abs` is `root` itself or lies below it (path.relative, never startsWith). */
export function isInside(root: string, abs: string): boolean {
  const rel = path.relative(root, abs);
  return rel === '' || (!rel.startsWith('..' + path.sep) && rel !== '..' && !path.isAbsolute(rel));
}

function openError(err: unknown, relPath: string): RlmError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return new RlmError(`not a regular file: ${relPath}`, 'file-special');
  if (code === 'ENOENT' || code === 'ENOTDIR') return new RlmError(`not found: ${relPath}`, 'file-not-found');
  return new RlmError(`cannot read: ${relPath}`, 'file-unreadable');
}

export function hardLinkError(relPath: string, links: number): RlmError {
  return new RlmError(
    `refused: ${relPath} has ${links} hard links, and another name of the same file may be a secret (allow the path in the secret settings to read it)`,
    'file-hardlink',
  );
}

function toPosix(rel: string): string {
  return path.sep === '/' ? rel : rel.split(path.sep).join('/');
}

/** FileSource over Node `fs` for one local directory. Paths are root-relative POSIX. */
export class NodeFileSource implements FileSource {
  /** Real (symlink-free) absolute path of the root. */
  readonly localRoot: string;
  private scratch = Buffer.allocUnsafe(64 * 1024);

  constructor(root: string) {
    this.localRoot = fs.realpathSync.native(path.resolve(root));
  }

  /** Absolute path for a root-relative path; refuses anything that escapes lexically. */
  private abs(relPath: string): string {
    if (relPath.includes('\0')) throw new RlmError('invalid path', 'path-invalid');
    const abs = path.resolve(this.localRoot, relPath === '' ? '.' : relPath);
    if (!isInside(this.localRoot, abs)) throw new RlmError(`path outside the workspace: ${relPath}`, 'path-outside');
    return abs;
  }

  async readDir(relPath: string): Promise<DirEntry[]> {
    const entries = await fsReaddir(this.abs(relPath), { withFileTypes: true });
    return entries.map((d) => ({ name: d.name, kind: kindOf(d) }));
  }

  readDirSync(relPath: string): DirEntry[] {
    return fs.readdirSync(this.abs(relPath), { withFileTypes: true }).map((d) => ({ name: d.name, kind: kindOf(d) }));
  }

  readForScanSync(relPath: string, maxBytes: number): Uint8Array {
    return this.withRegularFileSync(relPath, (fd, size) => {
      const want = Math.max(0, Math.min(size, maxBytes));
      // One scratch buffer for all scan reads: the scan looks at the bytes and drops them, and
      // a fresh buffer per file is most of the scan's garbage.
      if (this.scratch.length < want) this.scratch = Buffer.allocUnsafe(Math.max(want, this.scratch.length * 2));
      return readFully(fd, this.scratch, want);
    });
  }

  /** Reads a file the map lists, synchronously (the JS grep worker calls it, off the host): it
   *  must still be that very file: regular, capped, and reached through no symlink at all (its
   *  real path is `relPath` itself), the same test readFile's callers make with realpath. */
  readMappedFileSync(relPath: string, maxBytes: number, options: ReadOptions = {}): Uint8Array {
    return this.withRegularFileSync(relPath, (fd, size, links) => {
      if (options.singleLink && links > 1) throw hardLinkError(relPath, links);
      const real = PROC_FD ? fs.readlinkSync(PROC_FD + fd) : fs.realpathSync.native(this.abs(relPath));
      if (!isInside(this.localRoot, real) || toPosix(path.relative(this.localRoot, real)) !== relPath) {
        throw new RlmError(`no longer a regular file inside the workspace: ${relPath}`, 'path-outside');
      }
      const want = Math.max(0, Math.min(size, maxBytes));
      return readFully(fd, Buffer.allocUnsafe(want), want);
    });
  }

  /** Opens without following a final link or blocking on a FIFO, refuses anything but a regular
   *  file, and turns every other failure into a workspace-relative RlmError. */
  private withRegularFileSync<T>(relPath: string, read: (fd: number, size: number, links: number) => T): T {
    const abs = this.abs(relPath);
    let fd: number;
    try {
      fd = fs.openSync(abs, OPEN_FLAGS);
    } catch (err) {
      throw openError(err, relPath);
    }
    try {
      const st = fs.fstatSync(fd);
      if (!st.isFile()) throw new RlmError(`not a regular file: ${relPath}`, 'file-special');
      return read(fd, st.size, st.nlink);
    } catch (err) {
      if (err instanceof RlmError) throw err;
      throw new RlmError(`cannot read: ${relPath}`, 'file-unreadable');
    } finally {
      fs.closeSync(fd);
    }
  }

  async lstat(relPath: string): Promise<FileStat> {
    const st = await fsLstat(this.abs(relPath));
    return { kind: kindOf(st), size: st.size, mtimeMs: st.mtimeMs, links: st.nlink };
  }

  async realpath(relPath: string): Promise<string | undefined> {
    let real: string;
    try {
      real = await fsRealpath(this.abs(relPath));
    } catch {
      return undefined;
    }
    return isInside(this.localRoot, real) ? toPosix(path.relative(this.localRoot, real)) : undefined;
  }

  async readFile(relPath: string, maxBytes: number, options: ReadOptions = {}): Promise<Uint8Array> {
    const abs = this.abs(relPath);
    let fd: number;
    try {
      fd = await fsOpen(abs, OPEN_FLAGS);
    } catch (err) {
      throw openError(err, relPath);
    }
    try {
      const st = await fsFstat(fd);
      if (!st.isFile()) throw new RlmError(`not a regular file: ${relPath}`, 'file-special');
      if (options.singleLink && st.nlink > 1) throw hardLinkError(relPath, st.nlink);
      // Containment of what was actually opened (an intermediate directory may have been swapped).
      const real = PROC_FD ? await fsReadlink(PROC_FD + fd) : await fsRealpath(abs);
      if (!isInside(this.localRoot, real)) throw new RlmError(`path outside the workspace: ${relPath}`, 'path-outside');
      const want = Math.max(0, Math.min(st.size, maxBytes));
      const buf = Buffer.allocUnsafe(want);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await fsRead(fd, buf, got, want - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return got === want ? buf : buf.subarray(0, got);
    } catch (err) {
      if (err instanceof RlmError) throw err;
      throw new RlmError(`cannot read: ${relPath}`, 'file-unreadable');
    } finally {
      await fsClose(fd).catch(() => undefined);
    }
  }
}

/** Reads up to `want` bytes from the start of `fd` into `buf` (a file may shrink while read). */
function readFully(fd: number, buf: Buffer, want: number): Buffer {
  let got = 0;
  while (got < want) {
    const n = fs.readSync(fd, buf, got, want - got, got);
    if (n === 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}
