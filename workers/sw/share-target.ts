/**
 * The manifest's share target: a photo shared from the camera or gallery arrives here as a multipart
 * POST to /share-target, is kept in its own cache (not the precache, never the network) and the page is
 * sent to the visit with the share's id; src/app/launch/ takes the photos from there. Nothing here needs
 * the network, so a share works offline as soon as the shell is cached.
 *
 * Written over a plain Request and CacheStorage (no service-worker globals) so tests can call it.
 */
import {
  LAUNCH_PARAMS,
  SHARED_AT_HEADER,
  SHARED_PHOTOS_CACHE,
  SHARE_FORM_FIELD,
  checkPhotos,
  shareIndexPath,
  sharedPhotoPath,
  sharePathPrefix,
  type PhotoProblemCode,
  type StoredShare,
} from '../../src/shared/shared-photos.js';

export interface ShareTargetOptions {
  /** Ids of stored shares (random UUIDs). */
  newId?: () => string;
  now?: () => number;
}

/** Answers the share's POST: 303 to the visit, with the stored share's id or with what went wrong. */
export async function handleShareTarget(
  request: Request,
  cacheStorage: CacheStorage,
  { newId = () => crypto.randomUUID(), now = () => Date.now() }: ShareTargetOptions = {},
): Promise<Response> {
  const refused = refusal(request);
  if (refused) return redirectToVisit(request, { errors: [refused] });

  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return redirectToVisit(request, { errors: ['unreadable'] });
  }
  const files = form.getAll(SHARE_FORM_FIELD).filter((value): value is File => typeof value !== 'string');
  const { accepted, problems } = await checkPhotos(files);
  // Nothing worth keeping: the page only needs to say why.
  if (!accepted.length) return redirectToVisit(request, { errors: problems.map((problem) => problem.code) });

  const id = newId();
  const storedAt = now();
  const share: StoredShare = {
    id,
    storedAt,
    photos: accepted.map(({ file, type }, index) => ({
      key: sharedPhotoPath(id, index),
      name: file.name,
      type,
      size: file.size,
      lastModified: file.lastModified,
    })),
    problems,
  };
  let cache: Cache | undefined;
  const at = (path: string) => new URL(path, request.url).href;
  const headers = (type: string) => ({ 'Content-Type': type, [SHARED_AT_HEADER]: String(storedAt) });
  try {
    cache = await cacheStorage.open(SHARED_PHOTOS_CACHE);
    for (const [index, { file, type }] of accepted.entries()) {
      await cache.put(at(share.photos[index]!.key), new Response(file, { headers: headers(type) }));
    }
    // Last: an index means every photo it lists was stored.
    await cache.put(
      at(shareIndexPath(id)),
      new Response(JSON.stringify(share), { headers: headers('application/json') }),
    );
  } catch {
    // Most likely the storage quota: drop what was stored, so no half share is left behind.
    if (cache) await deleteShareEntries(cache, id).catch(() => undefined);
    return redirectToVisit(request, { errors: ['not-stored'] });
  }
  return redirectToVisit(request, { shared: id });
}

/**
 * Why a request is not a share as browsers send it, or null. The share sheet posts a multipart form
 * without a web origin (no Origin header, or "null"); a page may post only from this origin. A page of
 * another site is refused. (An opaque origin cannot be told apart from the share sheet: such a post
 * only ever opens the visit with photos the user sees before grading anything.)
 */
function refusal(request: Request): PhotoProblemCode | null {
  if (request.method !== 'POST') return 'refused';
  const origin = request.headers.get('Origin');
  if (origin && origin !== 'null' && origin !== new URL(request.url).origin) return 'refused';
  const type = request.headers.get('Content-Type') ?? '';
  if (!/^multipart\/form-data\s*;/i.test(type)) return 'refused';
  return null;
}

function redirectToVisit(request: Request, answer: { shared: string } | { errors: PhotoProblemCode[] }): Response {
  const url = new URL('/', request.url);
  url.searchParams.set(LAUNCH_PARAMS.view, 'visit');
  if ('shared' in answer) url.searchParams.set(LAUNCH_PARAMS.shared, answer.shared);
  else for (const code of new Set(answer.errors)) url.searchParams.append(LAUNCH_PARAMS.shareError, code);
  // 303: the page is fetched with GET, so a reload does not post the share again.
  return Response.redirect(url.href, 303);
}

async function deleteShareEntries(cache: Cache, id: string): Promise<void> {
  const prefix = sharePathPrefix(id);
  for (const request of await cache.keys()) {
    if (new URL(request.url).pathname.startsWith(prefix)) await cache.delete(request);
  }
}
