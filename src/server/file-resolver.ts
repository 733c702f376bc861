import { realpath, stat } from 'node:fs/promises';
import { join, relative, sep, isAbsolute } from 'node:path';
import { CODINGS_BY_PREFERENCE, VARIANT_SUFFIX, type ContentCoding } from './content-encoding.js';

export interface EncodedVariant {
  readonly coding: ContentCoding;
  readonly path: string;
}

// Errors that mean "there is no such servable file" rather than "the server is broken".
const NOT_SERVABLE = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP', 'EACCES']);

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
    if (NOT_SERVABLE.has((error as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw error;
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
