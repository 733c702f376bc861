import { closeSync, fstatSync, open, read, type Stats } from 'node:fs';
import { isNotServable, OPEN_FLAGS, type Representation } from './file-table.js';

/**
 * Per request, the one check the file table cannot make for it: that the bytes are still there and
 * still the ones the table describes. The headers and the body then come from one open file, even if
 * the path is swapped meanwhile.
 *
 * This is the hot path: callback fs rather than FileHandle, and only the calls that may wait on the
 * disk (open: a path look-up; read) go to the thread pool. fstat of an open descriptor reads the
 * in-memory inode and closing a read-only descriptor has nothing to flush: both return in
 * microseconds, less than a thread-pool round trip costs (measured: about 30% of the server's CPU
 * time per small-file request).
 *
 * - `opened`: a regular file of the recorded size and mtime; the caller owns `fd`.
 * - `changed`: a regular file, but not of the recorded size and mtime, so not the bytes the recorded
 *   ETag, Last-Modified and Content-Length describe; `stats` are the open file's. The caller owns `fd`.
 * - `missing`: gone since it was recorded, unreadable (EACCES: stat needs no read permission, so that
 *   only shows here), or no longer a regular file (a FIFO opened O_NONBLOCK returns at once, and
 *   fstat turns it away).
 */
export type OpenResult =
  | { readonly kind: 'opened'; readonly fd: number }
  | { readonly kind: 'changed'; readonly fd: number; readonly stats: Stats }
  | { readonly kind: 'missing' };

const MISSING: OpenResult = { kind: 'missing' };

export function openRepresentation(representation: Representation): Promise<OpenResult> {
  return new Promise((resolve, reject) => {
    open(representation.path, OPEN_FLAGS, (openError, fd) => {
      if (openError) {
        if (isNotServable(openError)) resolve(MISSING);
        else reject(openError);
        return;
      }
      let stats: Stats;
      try {
        stats = fstatSync(fd);
      } catch (error) {
        closeQuietly(fd);
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      if (!stats.isFile()) {
        closeQuietly(fd);
        resolve(MISSING);
      } else if (stats.size !== representation.size || stats.mtimeMs !== representation.mtimeMs) {
        resolve({ kind: 'changed', fd, stats });
      } else {
        resolve({ kind: 'opened', fd });
      }
    });
  });
}

/**
 * Reads `length` bytes from `position` into a new buffer; fewer means the file shrank after it was
 * opened (the caller then has not sent anything yet, and can say so).
 */
export function readBytes(fd: number, length: number, position: number): Promise<Buffer | undefined> {
  if (length === 0) return Promise.resolve(Buffer.alloc(0));
  const buffer = Buffer.allocUnsafe(length);
  return new Promise((resolve, reject) => {
    const readFrom = (offset: number): void => {
      read(fd, buffer, offset, length - offset, position + offset, (error, bytesRead) => {
        if (error) reject(error);
        else if (bytesRead === 0) resolve(undefined);
        else if (offset + bytesRead < length) readFrom(offset + bytesRead);
        else resolve(buffer);
      });
    };
    readFrom(0);
  });
}

/** Closing a read-only descriptor cannot lose data: an error here has nothing left to tell. */
export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // EBADF or EIO on close: the descriptor is gone either way.
  }
}
