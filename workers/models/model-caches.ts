/**
 * Cache Storage names the service worker (workers/sw.ts) and the model downloads (model-files.ts) share.
 */

/** The service worker's caches of model files it did not precache (fp32 forms), one per model version. */
export const MODEL_CACHE_PREFIX = 'fundus-grader-models-';

export function modelCacheName(id: string, version: string): string {
  return `${MODEL_CACHE_PREFIX}${id}-${version}`;
}

/**
 * The first bytes of model files whose download was cut, so that a later attempt (also after a reload)
 * asks only for the rest. Stored under the file's URL with `?partial=<sha256>`, so that nothing that looks
 * a file up by its URL can mistake the part for the file.
 */
export const PARTIAL_DOWNLOADS_CACHE = 'fundus-grader-partial-downloads';

/** `/models/<id>/<version>/…`: the model folder a file belongs to. */
export const MODEL_PATH = /^\/models\/([^/]+)\/([^/]+)\//;
