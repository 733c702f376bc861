import {
  constants as fsConstants,
  lstatSync,
  readdirSync,
  realpathSync,
  statSync,
  type Dirent,
  type Stats,
} from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { OutgoingHttpHeaders } from 'node:http';
import { isAbsolute, join, relative, sep } from 'node:path';
import { cacheControlFor } from './cache-policy.js';
import { CODINGS_BY_PREFERENCE, isVariantFileName, VARIANT_SUFFIX, type ContentCoding } from './content-encoding.js';
import { mediaTypeFor } from './mime-types.js';
import { entityTag, httpDate } from './validators.js';

/**
 * The files the server serves, found once at start-up: a request for one of them is a Map lookup,
 * not a realpath and stats of the file and its `.br`/`.gz` siblings (issue 17, finding 6). The walk
 * refuses what path resolution refuses: dotfiles, entries whose real path leaves the root or passes
 * through a dot-folder, and anything that is not a regular file (FIFOs, sockets, devices, dangling
 * symlinks, symlink loops). Permissions are left to the open at request time: stat needs none.
 *
 * A release never changes under its server (a release switch starts a new server on the new folder,
 * see docs/server.md), so in production every request is answered from the start-up table. A folder
 * changed in place (a rebuild under `npm run serve`, the e2e tests' deploys) is still served right,
 * on a slower path: a path the table lacks is resolved on disk with the same checks as the walk, and
 * recorded when it is a servable file; an entry whose file changed or went is looked up again.
 */

/** One set of bytes on disk: the identity file or one of its precompressed siblings. */
export interface Representation {
  /** Real path, to open per request. */
  readonly path: string;
  /** undefined: the identity bytes. */
  readonly coding: ContentCoding | undefined;
  readonly size: number;
  readonly mtimeMs: number;
  readonly etag: string;
  /** Every header of a 200 with these bytes, the server's own (security headers) first. */
  readonly okHeaders: Readonly<OutgoingHttpHeaders>;
  /** Every header of a 304 for these bytes. */
  readonly notModifiedHeaders: Readonly<OutgoingHttpHeaders>;
}

export type EncodedRepresentation = Representation & { readonly coding: ContentCoding };

/** What every representation of one resource shares. */
interface ResourceHeaders {
  readonly serverHeaders: Readonly<OutgoingHttpHeaders>;
  readonly cacheControl: string;
  readonly contentType: string;
  readonly vary: boolean;
}

export interface TableEntry {
  readonly identity: Representation;
  /** Precompressed siblings that were regular files when recorded, in server preference order. */
  readonly variants: readonly EncodedRepresentation[];
  /** The same resource described by an open file's own stats (the file changed since it was recorded). */
  describe(path: string, coding: ContentCoding | undefined, stats: Stats): Representation;
}

export interface FileTable {
  /** By relative path with `/` separators (the request's decoded segments joined with `/`). */
  get(relativePath: string): TableEntry | undefined;
  /**
   * Resolves `relativePath` on disk again (asynchronously, refusing what the walk refuses), records
   * the result or forgets the path, and returns it. Concurrent calls for one path share one look-up.
   */
  refresh(relativePath: string): Promise<TableEntry | undefined>;
  readonly size: number;
}

// Errors that mean "there is no such servable file" rather than "the server is broken". EACCES and
// EPERM: a file or folder the server's user may not read; ENXIO: opening a socket file.
const NOT_SERVABLE = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'ELOOP', 'EACCES', 'EPERM', 'ENXIO', 'EISDIR']);

export const isNotServable = (error: unknown): boolean => NOT_SERVABLE.has((error as NodeJS.ErrnoException).code ?? '');

// Windows has no O_NONBLOCK, and no FIFOs in the file system either. Regular files ignore the flag;
// a FIFO opened with it returns at once instead of blocking a thread until a writer comes.
export const OPEN_FLAGS = fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0);

/** True if `candidate` is strictly inside `rootReal` and no segment on the way is hidden. */
export function isVisibleInside(rootReal: string, candidate: string): boolean {
  const path = relative(rootReal, candidate);
  if (path === '' || isAbsolute(path)) return false;
  return path.split(sep).every((segment) => !segment.startsWith('.'));
}

interface FoundFile {
  readonly real: string;
  readonly stats: Stats;
}

/**
 * Walks `rootReal` (a real path) and records every servable file, with the headers each response
 * will carry (`serverHeaders`, the ones sent on every response, included). The walk is synchronous:
 * it runs once, before the server listens.
 */
export function buildFileTable(rootReal: string, serverHeaders: Readonly<OutgoingHttpHeaders> = {}): FileTable {
  const files = new Map<string, FoundFile>();
  walk(rootReal, rootReal, [], new Set([rootReal]), files);

  const entries = new Map<string, TableEntry>();
  for (const [relativePath, file] of files) {
    if (isVariantFileName(relativePath)) continue; // served only as an encoding of its base file
    const variants = CODINGS_BY_PREFERENCE.flatMap((coding) => {
      const variant = files.get(relativePath + VARIANT_SUFFIX[coding]);
      return variant === undefined ? [] : [{ coding, ...variant }];
    });
    entries.set(relativePath, tableEntry(relativePath, file, variants, serverHeaders));
  }

  const refreshing = new Map<string, Promise<TableEntry | undefined>>();
  const refresh = (relativePath: string): Promise<TableEntry | undefined> => {
    let pending = refreshing.get(relativePath);
    if (pending === undefined) {
      pending = resolveEntry(rootReal, relativePath, serverHeaders)
        .then((entry) => {
          if (entry === undefined) entries.delete(relativePath);
          else entries.set(relativePath, entry);
          return entry;
        })
        .finally(() => refreshing.delete(relativePath));
      refreshing.set(relativePath, pending);
    }
    return pending;
  };
  return {
    get: (relativePath) => entries.get(relativePath),
    refresh,
    get size() {
      return entries.size;
    },
  };
}

function tableEntry(
  relativePath: string,
  identity: FoundFile,
  variants: readonly (FoundFile & { readonly coding: ContentCoding })[],
  serverHeaders: Readonly<OutgoingHttpHeaders>,
): TableEntry {
  const mediaType = mediaTypeFor(relativePath);
  const resource: ResourceHeaders = {
    serverHeaders,
    cacheControl: cacheControlFor(relativePath.split('/')),
    contentType: mediaType.contentType,
    vary: mediaType.compressible || variants.length > 0,
  };
  return {
    identity: representation(identity.real, identity.stats, undefined, resource),
    variants: variants.map((variant) => representation(variant.real, variant.stats, variant.coding, resource)),
    describe: (path, coding, stats) => representation(path, stats, coding, resource),
  };
}

function representation<C extends ContentCoding | undefined>(
  path: string,
  stats: Stats,
  coding: C,
  resource: ResourceHeaders,
): Representation & { readonly coding: C } {
  const etag = entityTag(stats, coding);
  const notModifiedHeaders: OutgoingHttpHeaders = {
    ...resource.serverHeaders,
    'Cache-Control': resource.cacheControl,
    ETag: etag,
    'Last-Modified': httpDate(stats.mtimeMs),
    ...(resource.vary ? { Vary: 'Accept-Encoding' } : {}),
  };
  const okHeaders: OutgoingHttpHeaders = {
    ...notModifiedHeaders,
    'Content-Type': resource.contentType,
    'Accept-Ranges': 'bytes',
    ...(coding === undefined ? {} : { 'Content-Encoding': coding }),
    'Content-Length': stats.size,
  };
  return {
    path,
    coding,
    size: stats.size,
    mtimeMs: stats.mtimeMs,
    etag,
    okHeaders: Object.freeze(okHeaders),
    notModifiedHeaders: Object.freeze(notModifiedHeaders),
  };
}

/**
 * Records the regular files under `dirReal` (a real, visible folder inside the root) by their path
 * under the root as requests name it (`prefix`). Symlinks are followed while their real path stays
 * inside the root and visible; `ancestors` (real folders on the way down) stops symlink cycles.
 */
function walk(
  rootReal: string,
  dirReal: string,
  prefix: readonly string[],
  ancestors: ReadonlySet<string>,
  files: Map<string, FoundFile>,
): void {
  let dirents: Dirent[];
  try {
    dirents = readdirSync(dirReal, { withFileTypes: true });
  } catch (error) {
    if (isNotServable(error)) return; // an unreadable folder: nothing in it can be served
    throw error;
  }
  for (const dirent of dirents) {
    if (dirent.name.startsWith('.')) continue;
    const found = walkedEntry(rootReal, join(dirReal, dirent.name), dirent);
    if (found === undefined) continue;
    const segments = [...prefix, dirent.name];
    if (found.stats.isFile()) {
      files.set(segments.join('/'), found);
    } else if (found.stats.isDirectory() && !ancestors.has(found.real)) {
      walk(rootReal, found.real, segments, new Set([...ancestors, found.real]), files);
    }
  }
}

/** Real path and stats of a file or folder worth recording, or undefined. Never opens anything. */
function walkedEntry(rootReal: string, path: string, dirent: Dirent): FoundFile | undefined {
  try {
    // Only a symlink (or an entry of unknown type) needs resolving: the folder is a real path already.
    if (dirent.isFile() || dirent.isDirectory()) return { real: path, stats: lstatSync(path) };
    if (!dirent.isSymbolicLink() && !isUnknownType(dirent)) return undefined; // FIFO, socket, device
    const real = realpathSync(path);
    if (!isVisibleInside(rootReal, real)) return undefined;
    const stats = statSync(real);
    return stats.isFile() || stats.isDirectory() ? { real, stats } : undefined;
  } catch (error) {
    if (isNotServable(error)) return undefined;
    throw error;
  }
}

function isUnknownType(dirent: Dirent): boolean {
  return !(
    dirent.isFile() ||
    dirent.isDirectory() ||
    dirent.isSymbolicLink() ||
    dirent.isFIFO() ||
    dirent.isSocket() ||
    dirent.isBlockDevice() ||
    dirent.isCharacterDevice()
  );
}

/** The request-time look-up of a path the table lacks or no longer matches: the walk's checks, asynchronously. */
async function resolveEntry(
  rootReal: string,
  relativePath: string,
  serverHeaders: Readonly<OutgoingHttpHeaders>,
): Promise<TableEntry | undefined> {
  if (isVariantFileName(relativePath)) return undefined;
  const [identity, ...variants] = await Promise.all([
    resolveFile(rootReal, relativePath),
    ...CODINGS_BY_PREFERENCE.map(async (coding) => {
      const found = await resolveFile(rootReal, relativePath + VARIANT_SUFFIX[coding]);
      return found === undefined ? undefined : { coding, ...found };
    }),
  ]);
  if (identity === undefined) return undefined;
  const present = variants.filter((variant) => variant !== undefined);
  return tableEntry(relativePath, identity, present, serverHeaders);
}

/**
 * Real path and stats of `root/relativePath` if it is a regular file whose real location is inside
 * the root and not hidden: a symlink that points outside it (or at a dotfile) is not served.
 */
async function resolveFile(rootReal: string, relativePath: string): Promise<FoundFile | undefined> {
  try {
    const real = await realpath(join(rootReal, relativePath));
    if (!isVisibleInside(rootReal, real)) return undefined;
    // stat, never open: opening a FIFO would block.
    const stats = await stat(real);
    return stats.isFile() ? { real, stats } : undefined;
  } catch (error) {
    if (isNotServable(error)) return undefined;
    throw error;
  }
}
