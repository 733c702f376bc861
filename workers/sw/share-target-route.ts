import { registerRoute } from 'workbox-routing';
import { SHARE_TARGET_ACTION } from '../../src/shared/shared-photos.js';
import { handleShareTarget } from './share-target.js';

declare const self: ServiceWorkerGlobalScope;

/** Routes the manifest's share target (a POST, which no other route of the service worker answers). */
export function registerShareTarget(): void {
  registerRoute(
    ({ url, sameOrigin }) => sameOrigin && url.pathname === SHARE_TARGET_ACTION,
    ({ request }) => handleShareTarget(request, self.caches),
    'POST',
  );
}
