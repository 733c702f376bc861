import type {
  PrecacheState,
  RepairProgress,
  ServiceWorkerMessageType,
  StatusAnswer,
} from '../../shared/service-worker-protocol.js';

export interface OfflineStatus {
  supported: boolean;
  /**
   * An active service worker holds every file of its precache (it checked the caches when asked): reloads
   * work offline. Where the worker cannot say (one from before the check existed), an active worker.
   */
  readyOffline: boolean;
  /** A newer version is installed and waits for the user's agreement to take over. */
  updateAvailable: boolean;
  /** The version the active service worker reports (page ↔ worker handshake); null until it answers. */
  workerVersion: string | null;
  error: string | null;
  /** What the service worker found in its caches; null (or absent) until it answers. */
  precache?: PrecacheState | null;
  /** The service worker is fetching the missing files again. */
  repairing?: boolean;
  /** This page asked the new version to take over and reloads as soon as it does. */
  updating?: boolean;
  /**
   * A newer version has taken over (from another tab, or this page's reload did not happen): this page
   * still runs the previous one and offers "Reload to finish the update".
   */
  updateApplied?: boolean;
}

export interface ServiceWorkerStatusOptions {
  /**
   * Runs before the page reloads into a new version: stop in-flight model work (the inference worker)
   * so that its downloads neither hold the old service worker busy nor get cut off half-stored.
   */
  beforeReload?: () => void | Promise<void>;
  /** How the page reloads (tests replace it). */
  reload?: () => void;
  /** How long the new version may take to take control before the page reloads anyway. */
  takeoverTimeoutMs?: number;
  /** How long after asking for a reload the page concludes it did not happen and offers the button. */
  reloadWatchdogMs?: number;
}

const HANDSHAKE_TIMEOUT_MS = 3000;
const SLOW_HANDSHAKE_TIMEOUT_MS = 15000;
/**
 * Chromium activates a version that called skipWaiting only once the active one has no event in flight
 * (a fetch still streaming a download into a cache, a repair). The page asks that worker to drop them
 * (PREPARE_UPDATE), but a worker from before that message existed cannot: the reload then ends this page's
 * requests, which is what a manual reload did. Ten seconds is long enough for a takeover that works
 * (milliseconds) and short enough for a person waiting on a button.
 */
const TAKEOVER_TIMEOUT_MS = 10000;
/** A reload that has not unloaded the page after this long was aborted (seen: net::ERR_ABORTED on /). */
const RELOAD_WATCHDOG_MS = 15000;
/** A repair the service worker stopped reporting on (stopped by the browser, say): ask again later. */
const REPAIR_IDLE_TIMEOUT_MS = 60000;
/**
 * A repair that left files missing while online (the `online` event comes before the network is really
 * usable; a server hiccup) is tried again, later each time; a reload or the next `online` event starts over.
 */
const REPAIR_RETRY_DELAYS_MS = [5000, 30000, 120000];

/**
 * Registers the service worker and reports, as 'change' events, whether the app really works offline
 * (the worker's precache checked against the caches, repaired when online), whether an update waits, and
 * whether one has taken over this page. The update only takes over when the user agrees (applyUpdate).
 */
export class ServiceWorkerStatus extends EventTarget {
  status: OfflineStatus = {
    supported: 'serviceWorker' in navigator,
    readyOffline: false,
    updateAvailable: false,
    workerVersion: null,
    error: null,
    precache: null,
    repairing: false,
    updating: false,
    updateApplied: false,
  };
  private registration: ServiceWorkerRegistration | null = null;
  private readonly options: Required<Omit<ServiceWorkerStatusOptions, 'beforeReload'>> &
    Pick<ServiceWorkerStatusOptions, 'beforeReload'>;
  /**
   * The worker of this page's version: the one controlling it at start, or (a first visit) the one
   * active once registered. Another worker taking control means a new version took over.
   */
  private pageWorker: ServiceWorker | null = null;
  private applying = false;
  private reloading = false;
  private repair: Promise<void> | null = null;
  private repairRetries = 0;
  private repairRetryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly onControllerChange = () => this.controllerChanged();
  private readonly onOnline = () => void this.refresh();

  constructor(
    private readonly scriptUrl = '/sw.js',
    options: ServiceWorkerStatusOptions = {},
  ) {
    super();
    this.options = {
      reload: () => location.reload(),
      takeoverTimeoutMs: TAKEOVER_TIMEOUT_MS,
      reloadWatchdogMs: RELOAD_WATCHDOG_MS,
      ...options,
    };
  }

  async start(): Promise<void> {
    if (!this.status.supported) return;
    const container = navigator.serviceWorker;
    this.pageWorker = container.controller;
    container.addEventListener('controllerchange', this.onControllerChange);
    window.addEventListener('online', this.onOnline);
    try {
      const registration = await container.register(this.scriptUrl);
      this.registration = registration;
      this.watch(registration);
      this.pageWorker ??= (await container.ready).active;
      await this.refresh();
    } catch (error) {
      this.update({
        error: `offline support is unavailable: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }

  /** Stops listening (the registration stays). */
  stop(): void {
    if (!this.status.supported) return;
    navigator.serviceWorker.removeEventListener('controllerchange', this.onControllerChange);
    window.removeEventListener('online', this.onOnline);
  }

  /**
   * Asks the active worker what its caches really hold; repairs what is missing when online. Runs at
   * start, on the page's `online` event, and after a new version took over.
   */
  async refresh(): Promise<void> {
    const active = this.registration?.active;
    if (!active) return;
    // Once more, longer, when a worker is slow to start; as GET_VERSION, which workers from before the
    // precache check also answer (without `precache`).
    const answer =
      (await this.ask<StatusAnswer>(active, { type: 'GET_STATUS' })) ??
      (await this.ask<StatusAnswer>(active, { type: 'GET_VERSION' }, SLOW_HANDSHAKE_TIMEOUT_MS));
    if (!answer) {
      // No answer: an active worker is all that is known.
      this.update({ readyOffline: true });
      return;
    }
    this.update({
      workerVersion: answer.version,
      precache: answer.precache ?? null,
      readyOffline: answer.precache ? answer.precache.missing === 0 : true,
    });
    if (answer.precache && answer.precache.missing > 0 && navigator.onLine) {
      this.repairRetries = 0;
      await this.repairPrecache();
    }
  }

  /** Has the active worker fetch what its precache is missing; one repair at a time. */
  repairPrecache(): Promise<void> {
    this.repair ??= this.runRepair().finally(() => (this.repair = null));
    return this.repair;
  }

  /**
   * Lets the waiting version take over, then reloads into it: stops the page's model work first, asks the
   * active worker to drop its downloads, and reloads when the new version takes control, or after a
   * bounded wait if it has not (TAKEOVER_TIMEOUT_MS says why). When a new version has already taken over
   * (another tab's update), it only reloads.
   */
  applyUpdate(): void {
    void this.runUpdate();
  }

  private async runUpdate(): Promise<void> {
    if (this.applying) return;
    const registration = this.registration;
    const waiting = registration?.waiting ?? null;
    if (!this.status.updateApplied && !waiting) {
      // The button was stale: what is there now?
      this.update({ updateAvailable: false });
      return;
    }
    this.applying = true;
    this.update({ updating: true });
    try {
      await this.options.beforeReload?.();
    } catch (error) {
      console.warn('stopping the model work before the update failed:', error);
    }
    if (!waiting || !registration) {
      this.reloadOnce();
      return;
    }
    const tookOver = new Promise<void>((resolve) => {
      navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true });
      waiting.addEventListener('statechange', () => {
        if (waiting.state === 'activated' || waiting.state === 'redundant') resolve();
      });
    });
    // Acknowledged or not (an older worker ignores it), the skip-waiting message goes out right after.
    if (registration.active) await this.ask(registration.active, { type: 'PREPARE_UPDATE' }, 1000);
    waiting.postMessage({ type: 'SKIP_WAITING' } satisfies { type: ServiceWorkerMessageType });
    await Promise.race([tookOver, new Promise((resolve) => setTimeout(resolve, this.options.takeoverTimeoutMs))]);
    this.reloadOnce();
  }

  /** One reload at a time; if the page is still here long after, the reload did not happen: say so. */
  private reloadOnce(): void {
    if (this.reloading) return;
    this.reloading = true;
    this.options.reload();
    setTimeout(() => {
      this.reloading = false;
      this.applying = false;
      const controllerChanged = this.status.updateApplied || !this.registration?.waiting;
      this.update({
        updating: false,
        updateApplied: controllerChanged,
        updateAvailable: !controllerChanged,
      });
    }, this.options.reloadWatchdogMs);
  }

  private controllerChanged(): void {
    if (this.applying) {
      this.reloadOnce();
      return;
    }
    // Another tab let a new version take over: this page's code is the previous version's. (A first
    // visit's page claimed by the worker it installed is not.)
    const controller = navigator.serviceWorker.controller;
    if (this.pageWorker && controller && controller !== this.pageWorker)
      this.update({ updateAvailable: false, updateApplied: true });
    void this.refresh();
  }

  /** Follows installing and waiting workers: an update is available while one waits behind an active one. */
  private watch(registration: ServiceWorkerRegistration): void {
    const recompute = () =>
      this.update({
        updateAvailable: Boolean(registration.waiting && registration.active) && !this.status.updateApplied,
      });
    const follow = (worker: ServiceWorker | null) => worker?.addEventListener('statechange', recompute);
    registration.addEventListener('updatefound', () => follow(registration.installing));
    follow(registration.installing);
    follow(registration.waiting);
    recompute();
  }

  private async runRepair(): Promise<void> {
    const active = this.registration?.active;
    if (!active) return;
    this.update({ repairing: true });
    try {
      const result = await new Promise<RepairProgress | null>((resolve) => {
        const channel = new MessageChannel();
        let timer = setTimeout(() => resolve(null), REPAIR_IDLE_TIMEOUT_MS);
        channel.port1.onmessage = (event: MessageEvent<RepairProgress | { error: string }>) => {
          clearTimeout(timer);
          if ('error' in event.data) {
            console.warn('repairing the offline copy failed:', event.data.error);
            resolve(null);
            return;
          }
          const progress = event.data;
          this.update({ precache: progress.precache, readyOffline: progress.precache.missing === 0 });
          if (progress.done) resolve(progress);
          else timer = setTimeout(() => resolve(null), REPAIR_IDLE_TIMEOUT_MS);
        };
        active.postMessage({ type: 'REPAIR_PRECACHE' } satisfies { type: ServiceWorkerMessageType }, [channel.port2]);
      });
      if (!result) {
        // Stopped midway: the next check (reload, `online`) sees what is still missing.
        const answer = await this.ask<StatusAnswer>(active, { type: 'GET_STATUS' });
        if (answer?.precache) this.update({ precache: answer.precache, readyOffline: answer.precache.missing === 0 });
      }
    } finally {
      this.update({ repairing: false });
      this.retryRepairLater();
    }
  }

  private retryRepairLater(): void {
    if (!this.status.precache?.missing) {
      this.repairRetries = 0;
      return;
    }
    const delay = REPAIR_RETRY_DELAYS_MS[this.repairRetries];
    if (!navigator.onLine || delay === undefined || this.repairRetryTimer) return;
    this.repairRetries += 1;
    this.repairRetryTimer = setTimeout(() => {
      this.repairRetryTimer = null;
      if (navigator.onLine) void this.repairPrecache();
    }, delay);
  }

  /** Posts a message with a reply port; null when no reply comes in time. */
  private ask<T>(
    worker: ServiceWorker,
    message: { type: ServiceWorkerMessageType },
    timeoutMs = HANDSHAKE_TIMEOUT_MS,
  ): Promise<T | null> {
    return new Promise<T | null>((resolve) => {
      const channel = new MessageChannel();
      const timer = setTimeout(() => resolve(null), timeoutMs);
      channel.port1.onmessage = (event: MessageEvent<T>) => {
        clearTimeout(timer);
        resolve(event.data);
      };
      worker.postMessage(message, [channel.port2]);
    });
  }

  private update(change: Partial<OfflineStatus>): void {
    this.status = { ...this.status, ...change };
    this.dispatchEvent(new Event('change'));
  }
}
