import type { ModelManifest } from '../../shared/model-manifest.js';
import type {
  GradeResult,
  InitResult,
  LoadModelsParams,
  LoadModelsResult,
  ModelLoadProgress,
  ModelPair,
} from '../../shared/protocol.js';
import { InferenceError } from '../../shared/protocol.js';
import type { InferenceService } from '../inference-service.js';
import { fetchManifest, listModels, resolveModels, type CatalogModel } from '../model-catalog.js';
import type { ModelState } from '../model-state.js';
import { RUNTIME_LABELS } from '../runtime-labels.js';
import type { Settings } from '../settings.js';
import type { Announce } from './announcer.js';
import { messageOf, StateController, type AppHost } from './state-controller.js';

export type RuntimesState = 'starting' | 'ready' | 'failed';

export interface ModelsState {
  readonly settings: Settings;
  readonly manifest: ModelManifest | null;
  readonly report: InitResult | null;
  readonly runtimes: RuntimesState;
  /** The backend being tried while the runtimes start; why they did not start when they failed. */
  readonly runtimesMessage: string;
  readonly model: ModelState;
}

export interface ModelsOptions {
  /** The worker the models run in, shared with the screening. */
  service: Pick<InferenceService, 'start' | 'request'> & Partial<Pick<InferenceService, 'prestart'>>;
  /** Folder of models/manifest.json, ending in '/'; read when the host connects. */
  modelsUrl: () => string;
  settings: Settings;
  announce: Announce;
  /** Once the models are loaded and the app said so (fg-models-ready). */
  onReady?: () => void;
  fetchManifest?: (modelsUrl: string) => Promise<ModelManifest>;
  /**
   * Waits before loading again after a download failed while the device is online (the server stopped
   * answering or is restarting); the last wait repeats until a load succeeds. Default: RETRY_DELAYS_MS.
   */
  retryDelaysMs?: readonly number[];
}

/** 15 s, then longer, up to every 5 min: soon enough after a server restart, little load on one that is down. */
export const RETRY_DELAYS_MS: readonly number[] = [15_000, 30_000, 60_000, 120_000, 300_000];

/**
 * Runs `work` and records its span as a User Timing measure, `fg:page:<name>`: with the workers' own
 * (workers/models/start-up-timing.ts) they show where the start's time goes in a trace.
 */
async function timedSpan<T>(name: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await work();
  } finally {
    performance.measure(`fg:page:${name}`, { start, end: performance.now() });
  }
}

/** What a change of settings costs: new runtimes (and then the models again), the models alone, or nothing. */
export function reloadFor(previous: Settings, next: Settings): 'runtimes' | 'models' | null {
  if (next.tfjs !== previous.tfjs || next.ort !== previous.ort) return 'runtimes';
  if (next.model !== previous.model || next.weights !== previous.weights) return 'models';
  return null;
}

/**
 * The models' way to "ready": the manifest, the runtimes brought up in the worker, the chosen pair loaded
 * and warmed up; again when the settings change what runs, and again after a download the connection cut,
 * as soon as it is back. Dispatches `fg-runtimes-ready` and `fg-models-ready` on the host.
 */
export class ModelsController extends StateController<ModelsState> {
  private readonly onOnline = () => {
    // A download cut by a lost connection resumes by itself; the files already stored are not fetched again.
    if (this.state.model.phase === 'failed') void this.loadModels();
  };
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private retries = 0;

  constructor(
    host: AppHost,
    private readonly options: ModelsOptions,
  ) {
    super(host, {
      settings: options.settings,
      manifest: null,
      report: null,
      runtimes: 'starting',
      runtimesMessage: '',
      model: { phase: 'starting', model: null },
    });
    host.addController(this);
  }

  override hostConnected(): void {
    window.addEventListener('online', this.onOnline);
    void this.boot();
  }

  override hostDisconnected(): void {
    window.removeEventListener('online', this.onOnline);
    this.cancelRetry();
  }

  get modelsUrl(): string {
    return this.options.modelsUrl();
  }

  /** The variants the settings choose from the manifest; null before it is read, or when it has none. */
  get pair(): ModelPair | null {
    const { manifest, settings } = this.state;
    return manifest ? resolveModels(manifest, settings.model, settings.weights) : null;
  }

  /** Every model the manifest offers. */
  get catalog(): CatalogModel[] {
    return this.state.manifest ? listModels(this.state.manifest) : [];
  }

  /** The catalog's entry of the chosen pair. */
  get catalogModel(): CatalogModel | null {
    const pair = this.pair;
    return pair ? (this.catalog.find((m) => m.id === pair.tfjs.id) ?? null) : null;
  }

  /** Takes new settings, restarting what they change. */
  async applySettings(next: Settings): Promise<void> {
    const reload = reloadFor(this.state.settings, next);
    this.set({ settings: next });
    if (reload === 'runtimes') await this.startThenLoad();
    else if (reload === 'models') await this.loadModels();
  }

  /** Download and warm-up progress, also when a grading loads the models. */
  onProgress(progress: ModelLoadProgress): void {
    const model = this.state.model.model;
    if (progress.stage === 'download')
      this.set({
        model: { phase: 'downloading', model, loadedBytes: progress.loadedBytes, totalBytes: progress.totalBytes },
      });
    else this.set({ model: { phase: 'warming-up', model, runtime: progress.runtime, backend: progress.backend } });
  }

  /** A grading may have loaded the models (after a failed start) or moved a variant to another backend. */
  gradedWith(result: GradeResult): void {
    this.set({
      model: {
        phase: 'ready',
        model: this.state.model.model,
        backends: { tfjs: result.variants.tfjs.backend, ort: result.variants.ort.backend },
      },
    });
  }

  /**
   * The worker loads its script while the manifest is read; then the runtimes start with the chosen
   * models to preload, which each runtime starts loading from storage as soon as it is up.
   */
  private async boot(): Promise<void> {
    this.options.service.prestart?.();
    await this.readManifest();
    await this.startThenLoad();
  }

  private async readManifest(): Promise<void> {
    try {
      const manifest = await timedSpan('manifest', () => (this.options.fetchManifest ?? fetchManifest)(this.modelsUrl));
      this.set({ manifest });
    } catch (error) {
      this.set({ model: { phase: 'failed', model: null, message: messageOf(error) } });
    }
  }

  private async startThenLoad(): Promise<void> {
    if (await this.startRuntimes()) await this.loadModels();
  }

  private async startRuntimes(): Promise<boolean> {
    this.set({ runtimes: 'starting', report: null });
    try {
      const preload = this.loadParams() ?? undefined;
      const report = await timedSpan('init', () =>
        this.options.service.start(
          this.state.settings,
          ({ stage, backend }) => this.set({ runtimesMessage: `${RUNTIME_LABELS[stage]}: trying ${backend}` }),
          preload,
        ),
      );
      this.set({ report, runtimes: 'ready' });
      this.emit('fg-runtimes-ready', report);
      return true;
    } catch (error) {
      const runtimesMessage = messageOf(error);
      this.set({
        runtimes: 'failed',
        runtimesMessage,
        model: {
          phase: 'failed',
          model: this.state.model.model,
          message: `the runtimes did not start (${runtimesMessage})`,
        },
      });
      return false;
    }
  }

  /** What `load-models` is asked for: the chosen pair; null before the manifest is read, or when it has none. */
  private loadParams(): LoadModelsParams | null {
    const pair = this.pair;
    return pair ? { modelsUrl: this.modelsUrl, models: pair } : null;
  }

  private async loadModels(): Promise<void> {
    const params = this.loadParams();
    const model = this.catalogModel;
    if (!params) {
      if (this.state.manifest)
        this.set({ model: { phase: 'failed', model, message: 'the model list names no model with both variants' } });
      return;
    }
    this.cancelRetry();
    this.set({ model: { phase: 'starting', model } });
    try {
      const report = await timedSpan('load-models', () =>
        this.options.service.request('load-models', params, { onProgress: (p) => this.onProgress(p) }),
      );
      this.retries = 0;
      this.ready(report);
    } catch (error) {
      this.set({ model: { phase: 'failed', model, message: messageOf(error) } });
      // Offline, the `online` event brings the next try; online, nothing would, so a timer does.
      if (error instanceof InferenceError && error.code === 'model-missing' && navigator.onLine) this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    const delays = this.options.retryDelaysMs ?? RETRY_DELAYS_MS;
    const delay = delays[Math.min(this.retries, delays.length - 1)];
    if (delay === undefined) return;
    this.retries++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.state.model.phase === 'failed') void this.loadModels();
    }, delay);
  }

  private cancelRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private ready(report: LoadModelsResult): void {
    this.set({
      model: {
        phase: 'ready',
        model: this.state.model.model,
        backends: { tfjs: report.tfjs.backend, ort: report.ort.backend },
      },
    });
    performance.mark('fg-models-ready');
    this.options.announce(
      `Model ready: ${RUNTIME_LABELS.tfjs} on ${report.tfjs.backend}, ${RUNTIME_LABELS.ort} on ${report.ort.backend}.`,
    );
    this.emit('fg-models-ready', report);
    this.options.onReady?.();
  }
}

declare global {
  interface HTMLElementEventMap {
    /** The runtimes came up (again, after a change of settings). */
    'fg-runtimes-ready': CustomEvent<InitResult>;
    'fg-models-ready': CustomEvent<LoadModelsResult>;
  }
}
