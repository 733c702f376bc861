/**
 * Service worker: precaches the app shell, the runtimes' wasm and the shipped fp16 models so the app
 * works offline after one visit. The build (build.mjs) bundles this file, then workbox-build's
 * injectManifest replaces the manifest placeholder below with the list of files, their revisions and
 * their sha256 (integrity). Other model files (fp32 forms) are cached when first used, in one cache per
 * model version. How the offline copy stays honest, repairs itself and survives updates: docs/offline.md.
 */
import { PrecacheController, PrecacheRoute, cleanupOutdatedCaches, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute, setCatchHandler } from 'workbox-routing';
import { CacheFirst, NetworkOnly } from 'workbox-strategies';
import { registerShareTarget } from './sw/share-target-route.js';
import type { ModelManifest } from '../src/shared/model-manifest.js';
import { MODEL_CACHE_PREFIX, MODEL_PATH, modelCacheName, PARTIAL_DOWNLOADS_CACHE } from './models/model-caches.js';
import type {
  PrecacheState,
  RepairProgress,
  ServiceWorkerMessageType,
  StatusAnswer,
} from '../src/shared/service-worker-protocol.js';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: PrecacheEntry[] };
/** package.json's version, injected by the build: the page compares it with its own (version handshake). */
declare const __APP_VERSION__: string;
/**
 * static/offline.html, injected by the build. The precached copy can be deleted with the rest of Cache
 * Storage; this script cannot, so its copy is the last resort when the shell itself is missing offline.
 */
declare const __OFFLINE_HTML__: string;

/** Files an older version precached and this one does not, kept while a page of that version is open. */
const PREVIOUS_CACHE_PREFIX = 'fundus-grader-previous-';
/** In a previous-version cache: the ids of the clients (pages, their workers) that were open at activation. */
const PREVIOUS_CLIENTS_KEY = '/__fundus-grader-previous-clients__';
/** Where an older version's files may live: hashed bundles, versioned runtime folders, model folders. */
const VERSIONED_PATH = /^\/(assets|vendor|models)\//;

// The build writes objects only (workbox-precaching's types also allow plain strings).
const manifest = self.__WB_MANIFEST.filter((entry): entry is PrecacheEntry => typeof entry !== 'string');

/**
 * Network fetches this worker starts (model downloads, precache fallbacks, repairs) can be aborted
 * all at once: Chromium activates a waiting version (skipWaiting) only when this one has no event in
 * flight, and a download still streaming into a cache keeps its fetch event open (PREPARE_UPDATE).
 */
let inflight = new AbortController();
function abortable(request: Request): Request {
  return new Request(request, { signal: AbortSignal.any([request.signal, inflight.signal]) });
}
const abortablePlugin = {
  requestWillFetch: ({ request }: { request: Request }) => Promise.resolve(abortable(request)),
};

// Our own controller rather than precacheAndRoute(): its activate step (deleting what the new manifest
// no longer lists) must run after this version has kept the files an open older page may still need.
const precache = new PrecacheController({ plugins: [abortablePlugin] });
precache.addToCacheList(manifest);
self.addEventListener('install', (event) => void precache.install(event));

// A model download that resumes asks for the rest of a file (Range, workers/models/model-files.ts). A copy
// stored whole answers it (200: the downloader takes the whole file); otherwise the network does, and the
// answer is never stored: a 206 is not the file. Before the precache route, whose network fallback would
// check a 206 against the whole file's integrity and fail.
registerRoute(
  ({ url, sameOrigin, request }) => sameOrigin && MODEL_PATH.test(url.pathname) && request.headers.has('Range'),
  async ({ request, url }) => (await storedModelFile(request, url)) ?? fetch(abortable(request)),
);
registerRoute(new PrecacheRoute(precache));
cleanupOutdatedCaches();

// Navigations answer with the cached shell (or, when it is missing, the network); the bench page is its own document.
registerRoute(
  new NavigationRoute(precache.createHandlerBoundToURL('/index.html'), { denylist: [/^\/bench/, /^\/healthz/] }),
);
registerRoute(({ request }) => request.mode === 'navigate', new NetworkOnly());
registerShareTarget();

// A model folder never changes once published (a new model gets a new version), so cache-first is safe.
const modelStrategies = new Map<string, CacheFirst>();

/** A model file stored whole: precached, kept for an older version's page, or in its version's cache. */
async function storedModelFile(request: Request, url: URL): Promise<Response | undefined> {
  const [, id, version] = MODEL_PATH.exec(url.pathname)!;
  return (
    (await precache.matchPrecache(url.href)) ??
    (await matchPreviousVersion(request)) ??
    (await caches.match(request, { cacheName: modelCacheName(id!, version!) }))
  );
}
registerRoute(
  ({ url, sameOrigin }) => sameOrigin && MODEL_PATH.test(url.pathname),
  async (options) => {
    const previous = await matchPreviousVersion(options.request);
    if (previous) return previous;
    const [, id, version] = MODEL_PATH.exec(options.url.pathname)!;
    const name = modelCacheName(id!, version!);
    let strategy = modelStrategies.get(name);
    if (!strategy) {
      // Workbox caches only status 200 by default: a 404 or a network error is never stored.
      strategy = new CacheFirst({ cacheName: name, plugins: [abortablePlugin] });
      modelStrategies.set(name, strategy);
    }
    return strategy.handle(options);
  },
);

// A file of an older version that a page of that version still asks for (its inference worker, its
// wasm): from the copy kept at activation, since the server may no longer have it.
registerRoute(
  ({ url, sameOrigin, request }) =>
    sameOrigin && request.method === 'GET' && request.mode !== 'navigate' && VERSIONED_PATH.test(url.pathname),
  async ({ request }) => (await matchPreviousVersion(request)) ?? fetch(request),
);

function offlinePage(): Response {
  return new Response(__OFFLINE_HTML__, { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } });
}

// A navigation that is neither cached nor reachable gets the offline page instead of the browser's
// error: the precached one, or this script's own copy when Cache Storage lost it too.
setCatchHandler(async ({ request }) => {
  if (request.mode === 'navigate') return (await precache.matchPrecache('/offline.html')) ?? offlinePage();
  return Response.error();
});

// ---- what is really stored, and its repair ----

async function precacheCache(): Promise<Cache> {
  return caches.open(precache.strategy.cacheName);
}

/** Manifest entries whose cache key is not in the precache cache (deleted by the browser or the user). */
async function missingEntries(): Promise<PrecacheEntry[]> {
  const stored = new Set((await (await precacheCache()).keys()).map((request) => request.url));
  return manifest.filter((entry) => !stored.has(precache.getCacheKeyForURL(entry.url) ?? ''));
}

async function precacheState(): Promise<PrecacheState> {
  return { total: manifest.length, missing: (await missingEntries()).length };
}

/**
 * Fetches what is missing and stores it under the key Workbox uses (the URL with its revision), as its
 * install step would; with the manifest's integrity, so a file the server has since replaced (a deploy)
 * is refused rather than mixed into this version. One file at a time, each stored as soon as it arrives.
 */
async function repairPrecache(report: (progress: RepairProgress) => void): Promise<RepairProgress> {
  const signal = inflight.signal;
  const cache = await precacheCache();
  const missing = await missingEntries();
  let failed = 0;
  let left = missing.length;
  for (const entry of missing) {
    const cacheKey = precache.getCacheKeyForURL(entry.url);
    if (!cacheKey) continue;
    try {
      const request = new Request(new URL(entry.url, self.location.href).href, {
        credentials: 'same-origin',
        cache: entry.revision ? 'reload' : 'default',
        ...(entry.integrity ? { integrity: entry.integrity } : {}),
        signal,
      });
      const response = await fetch(request);
      if (!response.ok) throw new Error(`${entry.url}: HTTP ${response.status}`);
      // A redirected response cannot answer a navigation: store a copy without the flag (as Workbox does).
      const stored = response.redirected ? new Response(await response.blob(), response) : response;
      await cache.put(cacheKey, stored);
      left -= 1;
    } catch (error) {
      if (signal.aborted) break;
      failed += 1;
      console.warn(`offline copy: could not repair ${entry.url}:`, error);
    }
    report({ done: false, precache: { total: manifest.length, missing: left }, failed });
  }
  return { done: true, precache: await precacheState(), failed };
}

/** One repair at a time, however many pages ask; every asker hears its progress. */
let repair: Promise<RepairProgress> | null = null;
const repairListeners = new Set<MessagePort>();
function repairFor(port: MessagePort | undefined): Promise<RepairProgress> {
  if (port) repairListeners.add(port);
  repair ??= repairPrecache((progress) => repairListeners.forEach((p) => p.postMessage(progress))).finally(() => {
    repair = null;
  });
  return repair.then(
    (result) => {
      port?.postMessage(result);
      if (port) repairListeners.delete(port);
      return result;
    },
    (error: unknown) => {
      if (port) repairListeners.delete(port);
      throw error;
    },
  );
}

// ---- an older version's files, while a page of it is open ----

async function previousCacheNames(): Promise<string[]> {
  // Newest first: the names end in the activation time.
  return (await caches.keys())
    .filter((name) => name.startsWith(PREVIOUS_CACHE_PREFIX))
    .sort()
    .reverse();
}

async function matchPreviousVersion(request: Request): Promise<Response | undefined> {
  for (const name of await previousCacheNames()) {
    const hit = await (await caches.open(name)).match(request, { ignoreVary: true });
    if (hit) return hit;
  }
  return undefined;
}

const withoutRevision = (url: string): string => {
  const parsed = new URL(url);
  parsed.searchParams.delete('__WB_REVISION__');
  return parsed.href;
};

/**
 * On activate, before the precache drops what this version no longer lists: copies those files (under
 * their plain URL) into a cache that lives as long as one of the clients open now (all of them pages of an
 * older version, or their workers) is alive. Files this version has under the same URL (index.html) are
 * not kept: the new version answers those.
 */
async function keepPreviousVersionFiles(): Promise<void> {
  const openClients = await self.clients.matchAll({ includeUncontrolled: true, type: 'all' });
  if (!openClients.length) return;
  const current = new Set(precache.getURLsToCacheKeys().keys());
  const expected = new Set(precache.getURLsToCacheKeys().values());
  const source = await precacheCache();
  const dropped = (await source.keys()).filter(
    (request) => !expected.has(request.url) && !current.has(withoutRevision(request.url)),
  );
  // Nothing to keep and no model cache to spare (a first install, or a deploy that only changed sw.js).
  if (!dropped.length && !(await unlistedModelCaches()).length) return;
  const kept = await caches.open(`${PREVIOUS_CACHE_PREFIX}${Date.now()}`);
  for (const request of dropped) {
    const response = await source.match(request);
    if (response) await kept.put(withoutRevision(request.url), response);
  }
  // Written last: a cache without its list of clients is a keep that did not finish, and is pruned.
  await kept.put(PREVIOUS_CLIENTS_KEY, Response.json(openClients.map((client) => client.id)));
}

/**
 * Deletes the kept files of older versions whose pages have all gone (reloaded or closed), and, once
 * none is left, the model caches of versions the current manifest no longer lists.
 */
async function pruneOlderVersions(): Promise<void> {
  // Not while this version's activation is still writing its keep (a page may ask meanwhile).
  await activation.catch(() => undefined);
  let olderPagesOpen = false;
  for (const name of await previousCacheNames()) {
    const list = await (await caches.open(name)).match(PREVIOUS_CLIENTS_KEY);
    const ids = list ? ((await list.json()) as string[]) : [];
    const alive = await Promise.all(ids.map((id) => self.clients.get(id)));
    if (alive.some(Boolean)) olderPagesOpen = true;
    else await caches.delete(name);
  }
  if (!olderPagesOpen) await deleteOldModelCaches();
}

/** Model caches of versions the current manifest no longer lists. */
async function unlistedModelCaches(): Promise<string[]> {
  const response = await precache.matchPrecache('/models/manifest.json');
  if (!response) return [];
  const models = (await response.json()) as ModelManifest;
  const current = new Set(models.models.map((m) => modelCacheName(m.id, m.version)));
  return (await caches.keys()).filter((name) => name.startsWith(MODEL_CACHE_PREFIX) && !current.has(name));
}

async function deleteOldModelCaches(): Promise<void> {
  for (const name of await unlistedModelCaches()) await caches.delete(name);
  await deleteUnlistedPartialDownloads();
}

/** Parts of cut downloads (workers/models/partial-downloads.ts) of model versions the manifest no longer lists. */
async function deleteUnlistedPartialDownloads(): Promise<void> {
  const response = await precache.matchPrecache('/models/manifest.json');
  if (!response || !(await caches.has(PARTIAL_DOWNLOADS_CACHE))) return;
  const models = (await response.json()) as ModelManifest;
  const listed = new Set(models.models.map((m) => modelCacheName(m.id, m.version)));
  const cache = await caches.open(PARTIAL_DOWNLOADS_CACHE);
  for (const request of await cache.keys()) {
    const [, id, version] = MODEL_PATH.exec(new URL(request.url).pathname) ?? [];
    if (!id || !version || !listed.has(modelCacheName(id, version))) await cache.delete(request);
  }
}

let activation: Promise<void> = Promise.resolve();
self.addEventListener('activate', (event) => {
  activation = (async () => {
    await keepPreviousVersionFiles();
    await precache.activate(event);
    // Pages opened before the first install (and their workers) go through this worker too: what they
    // fetch later (a restarted inference worker, fp32 weights) is then served, and cached, offline.
    await self.clients.claim();
  })();
  event.waitUntil(activation.then(pruneOlderVersions));
});

async function statusAnswer(): Promise<StatusAnswer> {
  const names = await caches.keys();
  return {
    version: __APP_VERSION__,
    modelCaches: names.filter((n) => n.startsWith(MODEL_CACHE_PREFIX)),
    precache: await precacheState(),
  };
}

self.addEventListener('message', (event) => {
  const type = (event.data as { type?: ServiceWorkerMessageType } | null)?.type;
  const port = event.ports[0];
  switch (type) {
    // A new version waits until the user agrees to reload (the page posts this to the waiting worker).
    case 'SKIP_WAITING':
      event.waitUntil(self.skipWaiting());
      break;
    // Posted to the active worker just before SKIP_WAITING goes to the waiting one: drop the downloads
    // and the repair in flight, so that nothing holds the new version back (they resume after the reload).
    case 'PREPARE_UPDATE':
      inflight.abort(new DOMException('a new version is taking over', 'AbortError'));
      inflight = new AbortController();
      port?.postMessage({ prepared: true });
      break;
    // GET_VERSION: what pages of earlier versions ask; the answer is the same.
    case 'GET_STATUS':
    case 'GET_VERSION':
      event.waitUntil(Promise.all([statusAnswer().then((answer) => port?.postMessage(answer)), pruneOlderVersions()]));
      break;
    case 'REPAIR_PRECACHE':
      event.waitUntil(repairFor(port).catch((error: unknown) => port?.postMessage({ error: String(error) })));
      break;
  }
});
