import {
  SHARED_AT_HEADER,
  SHARED_PHOTOS_CACHE,
  SHARED_PHOTOS_MAX_AGE_MS,
  shareIndexPath,
  sharePathPrefix,
  type PhotoProblem,
  type StoredShare,
} from '../../shared/shared-photos.js';

export interface TakenPhotos {
  files: File[];
  problems: PhotoProblem[];
}

const gone: TakenPhotos = { files: [], problems: [{ code: 'gone' }] };

/**
 * The photos of share `id` that the service worker stored (workers/sw/share-target.ts), as Files with
 * their names and types; the share is deleted once read, so a reload does not open it twice. A share
 * that is not there (already taken, cleared, never stored) is a `gone` problem.
 */
export async function takeSharedPhotos(cacheStorage: CacheStorage, id: string, base: string): Promise<TakenPhotos> {
  if (!(await cacheStorage.has(SHARED_PHOTOS_CACHE))) return gone;
  const cache = await cacheStorage.open(SHARED_PHOTOS_CACHE);
  const index = await cache.match(new URL(shareIndexPath(id), base).href);
  if (!index) return gone;
  try {
    const share = (await index.json()) as StoredShare;
    const taken: TakenPhotos = { files: [], problems: [...share.problems] };
    for (const photo of share.photos) {
      const stored = await cache.match(new URL(photo.key, base).href);
      if (!stored) taken.problems.push({ code: 'gone', fileName: photo.name });
      else {
        const options = { type: photo.type, lastModified: photo.lastModified };
        taken.files.push(new File([await stored.blob()], photo.name, options));
      }
    }
    return taken;
  } catch {
    return { files: [], problems: [{ code: 'unreadable' }] };
  } finally {
    await deleteShare(cache, id);
  }
}

/**
 * Deletes shares older than SHARED_PHOTOS_MAX_AGE_MS: those no page took (it was closed, or failed
 * before reading its address). Patients' photos are not left lying about.
 */
export async function discardStaleShares(cacheStorage: CacheStorage, now = Date.now()): Promise<void> {
  if (!(await cacheStorage.has(SHARED_PHOTOS_CACHE))) return;
  const cache = await cacheStorage.open(SHARED_PHOTOS_CACHE);
  for (const request of await cache.keys()) {
    const storedAt = Number((await cache.match(request))?.headers.get(SHARED_AT_HEADER));
    // An entry without a time is not one this app stored the way it does now: stale too.
    if (!(storedAt > now - SHARED_PHOTOS_MAX_AGE_MS)) await cache.delete(request);
  }
}

async function deleteShare(cache: Cache, id: string): Promise<void> {
  const prefix = sharePathPrefix(id);
  for (const request of await cache.keys()) {
    if (new URL(request.url).pathname.startsWith(prefix)) await cache.delete(request);
  }
}
