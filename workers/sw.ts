/**
 * Service worker: precaches the app shell, the runtimes' wasm and the shipped fp16 models so the app
 * works offline after one visit. The build (build.mjs) bundles this file, then workbox-build's
 * injectManifest replaces the manifest placeholder below with the list of files and their revisions.
 * Other model files (fp32 forms) are cached when first used, in one cache per model version.
 */
import { cleanupOutdatedCaches, createHandlerBoundToURL, matchPrecache, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute, setCatchHandler } from 'workbox-routing';
import { CacheFirst, NetworkOnly } from 'workbox-strategies';
import type { ModelManifest } from '../src/shared/model-manifest.js';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> };
/** package.json's version, injected by the build: the page compares it with its own (version handshake). */
declare const __APP_VERSION__: string;

const MODEL_CACHE_PREFIX = 'fundus-grader-models-';
const MODEL_PATH = /^\/models\/([^/]+)\/([^/]+)\//;

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Navigations answer with the cached shell; the bench page is its own document.
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [/^\/bench/, /^\/healthz/] }));
registerRoute(({ request }) => request.mode === 'navigate', new NetworkOnly());

// A model folder never changes once published (a new model gets a new version), so cache-first is safe.
const modelStrategies = new Map<string, CacheFirst>();
function modelCacheName(id: string, version: string): string {
  return `${MODEL_CACHE_PREFIX}${id}-${version}`;
}
registerRoute(
  ({ url, sameOrigin }) => sameOrigin && MODEL_PATH.test(url.pathname),
  (options) => {
    const [, id, version] = MODEL_PATH.exec(options.url.pathname)!;
    const name = modelCacheName(id!, version!);
    let strategy = modelStrategies.get(name);
    if (!strategy) {
      // Workbox caches only status 200 by default: a 404 or a network error is never stored.
      strategy = new CacheFirst({ cacheName: name });
      modelStrategies.set(name, strategy);
    }
    return strategy.handle(options);
  },
);

// A navigation that is neither cached nor reachable gets the offline page instead of the browser's error.
setCatchHandler(async ({ request }) => {
  if (request.mode === 'navigate') return (await matchPrecache('/offline.html')) ?? Response.error();
  return Response.error();
});

/** Model caches of versions the current manifest no longer lists: removed on activate. */
async function deleteOldModelCaches(): Promise<void> {
  const response = await matchPrecache('/models/manifest.json');
  if (!response) return;
  const manifest = (await response.json()) as ModelManifest;
  const current = new Set(manifest.models.map((m) => modelCacheName(m.id, m.version)));
  for (const name of await caches.keys()) {
    if (name.startsWith(MODEL_CACHE_PREFIX) && !current.has(name)) await caches.delete(name);
  }
}

self.addEventListener('activate', (event) => event.waitUntil(deleteOldModelCaches()));

self.addEventListener('message', (event) => {
  const type = (event.data as { type?: string } | null)?.type;
  // A new version waits until the user agrees to reload (the page posts this message).
  if (type === 'SKIP_WAITING') void self.skipWaiting();
  if (type === 'GET_VERSION') {
    event.waitUntil(
      caches.keys().then((names) => {
        event.ports[0]?.postMessage({
          version: __APP_VERSION__,
          modelCaches: names.filter((n) => n.startsWith(MODEL_CACHE_PREFIX)),
        });
      }),
    );
  }
});
