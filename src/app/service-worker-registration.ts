/** Registers the precaching service worker; the app works without it (first visit, private mode). */
export async function registerServiceWorker(): Promise<ServiceWorkerRegistration | null> {
  if (!('serviceWorker' in navigator)) return null;
  try {
    return await navigator.serviceWorker.register('/sw.js', { type: 'module', scope: '/' });
  } catch (error) {
    console.warn('service worker registration failed', error);
    return null;
  }
}
