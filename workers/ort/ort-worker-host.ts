/**
 * The inference worker's side of its ONNX Runtime worker (workers/ort.worker.ts): starts it as a nested
 * dedicated worker, asks it workers/ort/ort-protocol.ts's requests through the generic InferenceClient,
 * and stands for ORT's variant in LoadedModels. Replaces the worker
 * - when it crashed (a script error, out of memory): the requests it had in flight fail with
 *   'worker-crashed', and the next request starts a fresh one with the same init (its model is then
 *   loaded again by the next `load-models` or `grade`), as the page does with the inference worker;
 * - when a lost GPU device cut ORT's WebGPU run off mid-way ('device-lost' from the ORT worker, whose
 *   ORT is then stuck for good): at once, on wasm, with the same model, and the run is repeated there,
 *   so the grading in flight still succeeds and TF.js keeps its state.
 */
import type { ModelManifestEntry } from '../../src/shared/model-manifest.js';
import { modelEntryFolder } from '../../src/shared/model-manifest.js';
import type { RgbImage } from '../../src/shared/pixels.js';
import type {
  AnyRequestMap,
  LoadedModelReport,
  ParamsOf,
  RequestType,
  ResultOf,
  RuntimeReport,
  VariantResult,
} from '../../src/shared/protocol.js';
import { InferenceError } from '../../src/shared/protocol.js';
import type { VariantLoadHooks } from '../grading/loaded-variant.js';
import { InferenceClient, type RequestOptions } from '../inference-client.js';
import { WorkerFailure } from '../worker-failure.js';
import type { OrtInitParams, OrtRequestMap } from './ort-protocol.js';

interface LoadedModel {
  entry: ModelManifestEntry;
  modelsUrl: string;
  warmUp: boolean;
  key: string;
}

export class OrtWorkerHost {
  private client: InferenceClient<OrtRequestMap> | null = null;
  private initOptions: OrtInitParams | null = null;
  private currentBackend: string | null = null;
  private model: LoadedModel | null = null;
  /** The model folder the last init asked ORT's worker to preload, until a load or release. */
  private preloadKey: string | null = null;
  /** Set once ORT's worker had to be replaced on wasm: why, for every later result. */
  private fallback: string | undefined;

  /** `url`: the ORT worker's script (InitParams.ortWorkerUrl). */
  constructor(readonly url: string) {}

  /** The loaded model's folder, null when none is loaded (a worker that died holds none). */
  get key(): string | null {
    return this.client?.alive ? (this.model?.key ?? null) : null;
  }

  /** The backend ORT works on now (after any fallback), null before init or when none came up. */
  get backend(): string | null {
    return this.currentBackend;
  }

  /** Brings ORT up in its worker (started now if it is not running). */
  async init(
    options: OrtInitParams,
    requestOptions: RequestOptions<'init', OrtRequestMap> = {},
  ): Promise<RuntimeReport> {
    // A restart (after a crash, or on wasm) loads its model itself, after init.
    const { preload, ...restartOptions } = options;
    this.initOptions = restartOptions;
    this.preloadKey = null;
    this.model = null;
    this.currentBackend = null;
    const report = await this.request('init', options, requestOptions);
    this.currentBackend = report.backend;
    // ORT's worker preloads on the backend that came up, if any.
    if (preload && report.backend) this.preloadKey = modelEntryFolder(preload.entry);
    return report;
  }

  /** Starts the worker, so that it loads its script, unless it is running; its first request finds it up. */
  prestart(): void {
    if (!this.client?.alive) this.client = this.start();
  }

  keptReport(): LoadedModelReport {
    const { key, currentBackend } = this;
    if (!key || !currentBackend) throw new WorkerFailure('model-missing', 'no ort model is loaded');
    return {
      runtime: 'ort',
      backend: currentBackend,
      model: key,
      loaded: false,
      bytes: 0,
      downloadMs: 0,
      warmUpMs: 0,
    };
  }

  /** Whether the last init asked ORT's worker to preload `entry`, and no load has taken it over yet. */
  preloading(entry: ModelManifestEntry): boolean {
    return this.preloadKey !== null && this.preloadKey === modelEntryFolder(entry);
  }

  async load(entry: ModelManifestEntry, modelsUrl: string, hooks: VariantLoadHooks): Promise<LoadedModelReport> {
    this.model = null;
    this.preloadKey = null;
    const report = await this.request(
      'load-model',
      { modelsUrl, entry, warmUp: hooks.warmUp },
      {
        ...(hooks.signal ? { signal: hooks.signal } : {}),
        onProgress: (progress) => {
          if (progress.stage === 'download') hooks.onBytes?.(progress.loadedBytes);
          // ORT's worker builds meanwhile: the hook only orders the progress messages here.
          else void Promise.resolve(hooks.beforeBuild?.(progress.backend)).catch(() => undefined);
        },
      },
    );
    this.model = { entry, modelsUrl, warmUp: hooks.warmUp, key: report.model };
    this.currentBackend = report.backend;
    return report;
  }

  async run(image: RgbImage): Promise<VariantResult> {
    let result: VariantResult;
    try {
      result = await this.request('run', { image });
    } catch (error) {
      if (!(error instanceof InferenceError && error.code === 'device-lost')) throw error;
      await this.restartOnWasm(error.message);
      result = await this.request('run', { image });
    }
    this.currentBackend = result.backend;
    if (this.fallback) result.fallback ??= this.fallback;
    return result;
  }

  /** Frees the loaded model; false when none was loaded (a worker that died holds none). */
  async release(): Promise<boolean> {
    this.model = null;
    this.preloadKey = null;
    if (!this.client?.alive) return false;
    return (await this.request('unload', {})).released;
  }

  /**
   * Any request of the ORT worker, typed by the map M it answers: OrtRequestMap, or in the test build
   * the map with the test-only requests (workers/testing/test-hooks.ts asks those).
   */
  async request<M extends AnyRequestMap = OrtRequestMap, K extends RequestType<M> = RequestType<M>>(
    type: K,
    params: ParamsOf<K, M>,
    options: RequestOptions<K, M> = {},
  ): Promise<ResultOf<K, M>> {
    // A dead worker is replaced: re-initialised first, unless this request is the init.
    if (!this.client || (!this.client.alive && type === 'init')) this.client = this.start();
    else if (!this.client.alive) await this.restartAfterCrash();
    // Spoken to with M's requests: the test build's ORT worker answers the test-only ones too.
    return (this.client as unknown as InferenceClient<M>).request(type, params, options);
  }

  /** Stops the ORT worker (its model goes with it); a later request starts a new one. */
  terminate(): void {
    this.client?.terminate();
  }

  private start(): InferenceClient<OrtRequestMap> {
    this.model = null;
    const worker = new Worker(this.url, { type: 'module', name: 'onnxruntime' });
    return new InferenceClient<OrtRequestMap>(worker, "ONNX Runtime's worker");
  }

  /**
   * A fresh worker with the last init's options, for a request that found the old one dead. Requests
   * posted meanwhile wait behind the init in the new worker's queue (workers/dispatcher.ts).
   */
  private async restartAfterCrash(): Promise<void> {
    const client = this.start();
    this.client = client;
    this.currentBackend = null;
    this.preloadKey = null;
    if (this.initOptions) this.currentBackend = (await client.request('init', this.initOptions)).backend;
  }

  /** Replaces a worker whose ORT is stuck in a run cut off by a lost GPU device: wasm, same model. */
  private async restartOnWasm(reason: string): Promise<void> {
    const model = this.model;
    if (!model || !this.initOptions) throw new WorkerFailure('model-missing', 'no ort model is loaded');
    this.client?.terminate();
    this.client = null;
    const report = await this.init({ ...this.initOptions, choice: 'wasm' });
    if (report.backend !== 'wasm') {
      throw new WorkerFailure('backend-unavailable', `${reason}, and ONNX Runtime did not come up on wasm`);
    }
    await this.load(model.entry, model.modelsUrl, { warmUp: model.warmUp });
    this.fallback = `${reason}; ONNX Runtime's worker was restarted on wasm`;
  }
}
