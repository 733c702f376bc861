/**
 * Model files read straight from Cache Storage (the service worker's precache, a model version's cache,
 * an older version's kept files), without a trip through the service worker, and the mark that spares
 * a file its sha256 on the next start.
 *
 * Integrity: the sha256 in the model manifest is checked on the bytes of every file the first time this
 * worker code sees them, whoever stored them. Once they match, the same bytes are stored again with
 * that sha256 in a header (VERIFIED_SHA256_HEADER); an entry whose header names the manifest's sha256
 * and whose length is the manifest's is used as it is. So what skips the hash is only what this code
 * itself checked and wrote: an entry stored by anyone else (the service worker's install, an older
 * version, a server answer cached as it came), a changed file (another sha256) or a torn write (another
 * length) is hashed and, when it does not match, refused and evicted. Cache Storage is private to the
 * origin, whose own code already runs from it, so trusting what that code wrote adds no way in.
 */
import type { ModelFile } from '../../src/shared/model-manifest.js';
import { PARTIAL_DOWNLOADS_CACHE } from './model-caches.js';

/** The sha256 (hex, as the manifest lists it) the bytes of a stored model file were checked against. */
export const VERIFIED_SHA256_HEADER = 'X-Fundus-Grader-Sha256';

export interface StoredFile {
  bytes: ArrayBuffer;
  /** Stored with the manifest's sha256 by a check of these very bytes: no need to hash them again. */
  verified: boolean;
}

/** The caches that may hold whole model files under their URL (the partial downloads' keys differ). */
async function wholeFileCaches(): Promise<Cache[]> {
  if (typeof caches === 'undefined') return [];
  const names = (await caches.keys()).filter((name) => name !== PARTIAL_DOWNLOADS_CACHE);
  return Promise.all(names.map((name) => caches.open(name)));
}

function isVerified(response: Response, file: ModelFile): boolean {
  return response.headers.get(VERIFIED_SHA256_HEADER) === file.sha256;
}

/**
 * The file as Cache Storage holds it, null when no cache does. A copy marked with the manifest's
 * sha256 is preferred; a marked copy of the wrong length is not the file and comes back unverified
 * (its hash then decides).
 */
export async function readStoredFile(url: string, file: ModelFile): Promise<StoredFile | null> {
  const found: Response[] = [];
  for (const cache of await wholeFileCaches()) {
    const response = await cache.match(url).catch(() => undefined);
    if (response) found.push(response);
  }
  const marked = found.find((response) => isVerified(response, file));
  const chosen = marked ?? found[0];
  for (const response of found) if (response !== chosen) void response.body?.cancel();
  if (!chosen) return null;
  const bytes = await chosen.arrayBuffer();
  return { bytes, verified: marked !== undefined && bytes.byteLength === file.bytes };
}

/** A stored copy of verified bytes: the original answer's headers, the right length and the mark. */
export function verifiedResponse(bytes: ArrayBuffer, file: ModelFile, original?: Headers): Response {
  const headers = new Headers(original);
  // The bytes are stored as decoded: an encoding or length of the answer they came in no longer applies.
  for (const name of ['Content-Encoding', 'Content-Length', 'Transfer-Encoding']) headers.delete(name);
  if (!headers.has('Content-Type')) headers.set('Content-Type', 'application/octet-stream');
  headers.set('Content-Length', String(bytes.byteLength));
  headers.set(VERIFIED_SHA256_HEADER, file.sha256);
  return new Response(bytes, { status: 200, statusText: 'OK', headers });
}

/**
 * Stores `bytes`, just checked against the manifest's sha256, with the mark, in every cache that holds
 * the file unmarked; nothing when none does (no service worker: nothing is kept anyway). Best effort: a
 * file that cannot be stored (a full disk) is hashed again next time.
 */
export async function markVerified(url: string, file: ModelFile, bytes: ArrayBuffer): Promise<void> {
  try {
    for (const cache of await wholeFileCaches()) {
      const response = await cache.match(url);
      if (!response || isVerified(response, file)) {
        void response?.body?.cancel();
        continue;
      }
      void response.body?.cancel();
      await cache.put(url, verifiedResponse(bytes, file, response.headers));
    }
  } catch (error) {
    console.warn(`model files: could not mark ${file.path} as verified:`, error);
  }
}
