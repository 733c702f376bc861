/**
 * Service worker: precaches the app shell, the runtimes' wasm and the shipped models so the app works
 * offline after one visit. The build (build.mjs) bundles this file, then workbox-build's injectManifest
 * replaces the manifest placeholder below with the list of files and their revisions.
 */
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<{ url: string; revision: string | null }> };

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Navigations answer with the cached shell; the bench page is its own document.
registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [/^\/bench/, /^\/healthz/] }));

// A new version waits until the user agrees to reload (the page posts this message).
self.addEventListener('message', (event) => {
  if ((event.data as { type?: string } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});
