import { ServiceWorkerStatus, type OfflineStatus } from '../offline/service-worker-status.js';
import { StateController, type AppHost } from './state-controller.js';

export interface OfflineState {
  /** The service worker's report; null without one (no script to register). */
  readonly serviceWorker: OfflineStatus | null;
  readonly online: boolean;
}

export interface OfflineOptions {
  /** Service worker script to register; empty = none. Read when the host connects. */
  serviceWorkerUrl: () => string;
  /** Runs before the page reloads into a new version (ServiceWorkerStatusOptions.beforeReload). */
  beforeReload: () => void;
  /** The app has just become ready offline. */
  onReadyOffline: () => void;
}

/** Whether the app works offline (its service worker), whether an update waits, and whether the network is up. */
export class OfflineController extends StateController<OfflineState> {
  private serviceWorker: ServiceWorkerStatus | null = null;
  private readonly onNetworkChange = () => this.set({ online: navigator.onLine });

  constructor(
    host: AppHost,
    private readonly options: OfflineOptions,
  ) {
    super(host, { serviceWorker: null, online: navigator.onLine });
    host.addController(this);
  }

  override hostConnected(): void {
    window.addEventListener('online', this.onNetworkChange);
    window.addEventListener('offline', this.onNetworkChange);
    void this.startServiceWorker();
  }

  override hostDisconnected(): void {
    window.removeEventListener('online', this.onNetworkChange);
    window.removeEventListener('offline', this.onNetworkChange);
  }

  /** The user agreed: the waiting version takes over and the page reloads into it. */
  applyUpdate(): void {
    this.serviceWorker?.applyUpdate();
  }

  private async startServiceWorker(): Promise<void> {
    const url = this.options.serviceWorkerUrl();
    if (!url) return;
    const status = new ServiceWorkerStatus(url, { beforeReload: this.options.beforeReload });
    this.serviceWorker = status;
    status.addEventListener('change', () => {
      const wasReady = this.state.serviceWorker?.readyOffline;
      this.set({ serviceWorker: status.status });
      if (status.status.readyOffline && !wasReady) this.options.onReadyOffline();
    });
    this.set({ serviceWorker: status.status });
    await status.start();
  }
}
