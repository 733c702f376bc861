import { messageSW, Workbox } from 'workbox-window';

export interface OfflineStatus {
  supported: boolean;
  /** An active service worker holds the precached app, runtimes and default model: reloads work offline. */
  readyOffline: boolean;
  /** A newer version is installed and waits for the user's agreement to take over. */
  updateAvailable: boolean;
  /** The version the active service worker reports (page ↔ worker handshake); null until it answers. */
  workerVersion: string | null;
  error: string | null;
}

/** What the service worker answers to {type: 'GET_VERSION'} (workers/sw.ts). */
export interface ServiceWorkerVersion {
  version: string;
  modelCaches: string[];
}

const HANDSHAKE_TIMEOUT_MS = 3000;

/**
 * Registers the service worker and reports, as 'change' events, whether the app works offline and
 * whether an update waits. The update only takes over when the user agrees (applyUpdate).
 */
export class ServiceWorkerStatus extends EventTarget {
  status: OfflineStatus = {
    supported: 'serviceWorker' in navigator,
    readyOffline: false,
    updateAvailable: false,
    workerVersion: null,
    error: null,
  };
  private workbox: Workbox | null = null;

  constructor(private readonly scriptUrl = '/sw.js') {
    super();
  }

  async start(): Promise<void> {
    if (!this.status.supported) return;
    const workbox = new Workbox(this.scriptUrl);
    this.workbox = workbox;
    workbox.addEventListener('waiting', () => this.update({ updateAvailable: true }));
    try {
      await workbox.register({ immediate: true });
      const registration = await navigator.serviceWorker.ready;
      this.update({ readyOffline: true });
      if (registration.active)
        this.update({ workerVersion: (await this.handshake(registration.active))?.version ?? null });
    } catch (error) {
      this.update({
        error: `offline support is unavailable: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }

  /** Lets the waiting version take over, then reloads into it. */
  applyUpdate(): void {
    const workbox = this.workbox;
    if (!workbox || !this.status.updateAvailable) return;
    workbox.addEventListener('controlling', () => location.reload());
    workbox.messageSkipWaiting();
  }

  private async handshake(worker: ServiceWorker): Promise<ServiceWorkerVersion | null> {
    const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), HANDSHAKE_TIMEOUT_MS));
    return Promise.race([messageSW(worker, { type: 'GET_VERSION' }) as Promise<ServiceWorkerVersion>, timeout]);
  }

  private update(change: Partial<OfflineStatus>): void {
    this.status = { ...this.status, ...change };
    this.dispatchEvent(new Event('change'));
  }
}
