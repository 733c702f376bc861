import { constants as fsConstants, type Stats } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { join, relative, sep, isAbsolute } from 'node:path';
import { CODINGS_BY_PREFERENCE, VARIANT_SUFFIX, type ContentCoding } from './content-encoding.js';

export interface EncodedVariant {
  readonly coding: ContentCoding;
  readonly path: string;
}

export interface OpenedFile {
  readonly handle: FileHandle;
  /** From the open handle: describes the bytes that will be read, whatever the path names now. */
  readonly stats: Stats;
}

// Errors that mean "there is no such servable file" rather than "the server is broken". EACCES and
// EPERM: a file the server's user may not read (a deploy that left mode 000 behind) is, to the
// client, a file that is not there; ENXIO: opening a socket file.
const NOT_SERVABLE = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP', 'EACCES', 'EPERM', 'ENXIO', 'EISDIR']);

const isNotServable = (error: unknown): boolean => NOT_SERVABLE.has((error as NodeJS.ErrnoException).code ?? '');

// Windows has no O_NONBLOCK, and no FIFOs in the file system either.
const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0);

/**
 * Real path of `root/relativePath` if it is a regular file whose real location is still inside
 * the root and not hidden: a symlink in dist/ that points outside it (or at a dotfile) is not
 * served. `rootReal` must itself be a real path.
 */
export async function resolveServableFile(rootReal: string, relativePath: string): Promise<string | undefined> {
  try {
    const real = await realpath(join(rootReal, relativePath));
    if (!isVisibleInside(rootReal, real)) return undefined;
    // stat before anyone opens it: opening a FIFO would block.
    return (await stat(real)).isFile() ? real : undefined;
  } catch (error) {
    if (isNotServable(error)) return undefined;
    throw error;
  }
}

/**
 * Opens a path from resolveServableFile, or undefined when it cannot be served after all: stat
 * needs no read permission, so an unreadable file only shows here; and the path may have been
 * swapped since it was resolved. O_NONBLOCK makes opening a FIFO return at once rather than
 * block a thread-pool thread (regular files ignore the flag), and fstat then turns it away.
 */
export async function openServableFile(path: string): Promise<OpenedFile | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    if (isNotServable(error)) return undefined;
    throw error;
  }
  let servable = false;
  try {
    const stats = await handle.stat();
    servable = stats.isFile();
    return servable ? { handle, stats } : undefined;
  } finally {
    if (!servable) await handle.close();
  }
}

/** The precompressed siblings that exist, in server preference order. */
export async function findEncodedVariants(rootReal: string, relativePath: string): Promise<EncodedVariant[]> {
  const found = await Promise.all(
    CODINGS_BY_PREFERENCE.map(async (coding) => {
      const path = await resolveServableFile(rootReal, relativePath + VARIANT_SUFFIX[coding]);
      return path === undefined ? undefined : { coding, path };
    }),
  );
  return found.filter((variant) => variant !== undefined);
}

function isVisibleInside(rootReal: string, candidate: string): boolean {
  const path = relative(rootReal, candidate);
  if (path === '' || isAbsolute(path)) return false;
  return path.split(sep).every((segment) => !segment.startsWith('.'));
}
