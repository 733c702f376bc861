/**
 * The inference worker's two loaded model variants: TF.js's here (a LoadedVariant), ORT's in the ONNX
 * Runtime worker this worker starts (an OrtWorkerHost), so that the two can grade at the same time.
 * Each loads once (downloaded, verified, built, warmed up) and stays until another model is asked for;
 * a lost WebGPU device moves a variant to wasm (loaded-variant.ts, ort-worker-host.ts).
 */
import type { ModelManifestEntry } from '../../src/shared/model-manifest.js';
import { modelEntryFolder } from '../../src/shared/model-manifest.js';
import type { RgbImage } from '../../src/shared/pixels.js';
import type {
  LoadedModelReport,
  LoadModelsParams,
  LoadModelsResult,
  ModelLoadProgress,
  RuntimeName,
  VariantResult,
} from '../../src/shared/protocol.js';
import { modelDownloadCut } from '../models/download-cut.js';
import { entryBytes, everyAtMost } from '../models/model-files.js';
import { createTfjsRunner } from '../models/tfjs-runner.js';
import type { OrtWorkerHost } from '../ort/ort-worker-host.js';
import { switchTfjsToWasm, tfjsWebgpuDevice } from '../runtimes/tfjs-runtime.js';
import { WorkerFailure } from '../worker-failure.js';
import { LoadedVariant, type FilesReadAhead, type VariantLoadHooks, type VariantRuntime } from './loaded-variant.js';

/** Download progress messages at most this often (the last one always goes). */
const PROGRESS_INTERVAL_MS = 100;
const RUNTIMES: readonly RuntimeName[] = ['tfjs', 'ort'];
const VARIANT_OF: Record<RuntimeName, ModelManifestEntry['variant']> = { tfjs: 'tfjs', ort: 'onnx' };

const TFJS: VariantRuntime = {
  runtime: 'tfjs',
  label: 'TF.js',
  // TF.js builds on its current backend (its global state), the one init or a fallback selected.
  createRunner: (entry, files) => createTfjsRunner(entry, files),
  webgpuDevice: async () => tfjsWebgpuDevice(),
  switchToWasm: switchTfjsToWasm,
  retryAnyWebgpuFailure: false,
  stuckAfterAbandonedRun: false,
};

/** What LoadedModels asks of each variant, wherever it runs. */
interface Variant {
  readonly key: string | null;
  readonly backend: string | null;
  keptReport(): LoadedModelReport;
  load(entry: ModelManifestEntry, modelsUrl: string, hooks: VariantLoadHooks): Promise<LoadedModelReport>;
  /** Whether a load of `entry` was begun before it was asked for (InitParams.preload), for load() to take over. */
  preloading(entry: ModelManifestEntry): boolean;
  run(image: RgbImage): Promise<VariantResult>;
  release(): Promise<boolean>;
}

export interface LoadContext {
  signal: AbortSignal;
  progress(progress: ModelLoadProgress): void;
}

/** A promise with its settling functions outside. */
function deferred(): { promise: Promise<void>; resolve(): void; reject(error: unknown): void } {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export class LoadedModels {
  private readonly tfjs: LoadedVariant | null;

  /** `tfjsBackend`: TF.js's working backend after init, null when none came up. */
  constructor(
    tfjsBackend: string | null,
    readonly ort: OrtWorkerHost,
  ) {
    this.tfjs = tfjsBackend ? new LoadedVariant(TFJS, tfjsBackend) : null;
  }

  /** Refuses a pair that is not one TF.js and one ONNX variant of the same model version. */
  static checkPair(models: LoadModelsParams['models']): void {
    for (const runtime of RUNTIMES) {
      if (models[runtime]?.variant !== VARIANT_OF[runtime])
        throw new WorkerFailure('bad-request', `models.${runtime} must be a ${VARIANT_OF[runtime]} manifest entry`);
    }
    if (models.tfjs.id !== models.ort.id || models.tfjs.version !== models.ort.version) {
      throw new WorkerFailure('bad-request', 'both variants must come from the same model id and version');
    }
  }

  /**
   * Begins loading TF.js's variant from the files `ahead` reads, before `load-models` asks for it (the
   * init's preload: InitParams.preload); ensure() then takes it over.
   */
  preloadTfjs(params: LoadModelsParams, ahead: FilesReadAhead): void {
    this.tfjs?.preload(params.models.tfjs, params.modelsUrl, ahead, params.warmUp !== false);
  }

  async ensure(params: LoadModelsParams, context: LoadContext): Promise<LoadModelsResult> {
    const { modelsUrl, models } = params;
    LoadedModels.checkPair(models);
    const variants: Partial<Record<RuntimeName, Variant>> = {};
    for (const runtime of RUNTIMES) {
      const variant = this.variant(runtime);
      if (!variant?.backend)
        throw new WorkerFailure('backend-unavailable', `${runtime} has no working backend on this device`);
      variants[runtime] = variant;
    }
    const preloading = (runtime: RuntimeName) => variants[runtime]!.preloading(models[runtime]);
    const stale = RUNTIMES.filter(
      (runtime) => preloading(runtime) || variants[runtime]!.key !== modelEntryFolder(models[runtime]),
    );
    // Free the old model first: two ResNet50s at once is more memory than a tablet may have. (A preload,
    // which load() takes over, freed it before building.)
    for (const runtime of stale) if (!preloading(runtime)) await variants[runtime]!.release();

    // Both variants load at once (ORT in its own worker): downloads, then builds and warm-ups. The
    // builds start once every download is done, so that progress goes from "downloading" to "warming
    // up" and never back.
    const totalBytes = stale.reduce((sum, runtime) => sum + entryBytes(models[runtime]), 0);
    const loadedBytes: Record<RuntimeName, number> = { tfjs: 0, ort: 0 };
    const sendDownload = everyAtMost(PROGRESS_INTERVAL_MS);
    const downloaded = new Map(stale.map((runtime) => [runtime, deferred()]));
    const allDownloaded = Promise.all([...downloaded.values()].map((d) => d.promise));
    allDownloaded.catch(() => undefined); // a failed load rejects it; its own error is what the request reports
    // One load failing stops the other (and cancelling the request stops both).
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    context.signal.addEventListener('abort', onAbort, { once: true });
    if (context.signal.aborted) abort.abort();

    const loads = stale.map(async (runtime) => {
      try {
        return await variants[runtime]!.load(models[runtime], modelsUrl, {
          signal: abort.signal,
          warmUp: params.warmUp !== false,
          onBytes: (bytes) => {
            loadedBytes[runtime] = bytes;
            const sum = loadedBytes.tfjs + loadedBytes.ort;
            sendDownload(sum >= totalBytes, () =>
              context.progress({ stage: 'download', runtime, loadedBytes: sum, totalBytes }),
            );
          },
          beforeBuild: async (backend) => {
            downloaded.get(runtime)!.resolve();
            await allDownloaded;
            context.progress({ stage: 'warm-up', runtime, backend });
          },
        });
      } finally {
        // Settles the other load's wait when this one failed before its build (no-op after resolve).
        downloaded.get(runtime)!.reject(new Error(`${runtime} was not downloaded`));
      }
    });
    const reports: Partial<Record<RuntimeName, LoadedModelReport>> = {};
    try {
      for (const report of await Promise.all(loads)) reports[report.runtime] = report;
    } catch (error) {
      abort.abort();
      // Whatever the other load was doing has stopped before the request settles.
      await Promise.allSettled(loads);
      // A cut download is told for the whole model (both variants' bytes), not for the one file.
      throw modelDownloadCut(error, models.tfjs, loadedBytes.tfjs + loadedBytes.ort, totalBytes) ?? error;
    } finally {
      context.signal.removeEventListener('abort', onAbort);
    }
    return {
      tfjs: reports.tfjs ?? variants.tfjs!.keptReport(),
      ort: reports.ort ?? variants.ort!.keptReport(),
    };
  }

  /**
   * Runs both variants on one preprocessed image, at the same time: ORT in its own worker while TF.js
   * runs here. ORT is asked first: TF.js on wasm computes synchronously, on this worker's thread, until
   * its result is read back, so a request posted after it would only leave once TF.js is done.
   */
  async runBoth(image: RgbImage): Promise<Record<RuntimeName, VariantResult>> {
    const ort = this.run('ort', image);
    const tfjs = this.run('tfjs', image);
    const [tfjsResult, ortResult] = await Promise.all([tfjs, ort]);
    return { tfjs: tfjsResult, ort: ortResult };
  }

  /** The backend the runtime works on now (after any fallback), or null when it has none. */
  backendOf(runtime: RuntimeName): string | null {
    return this.variant(runtime)?.backend ?? null;
  }

  /**
   * Destroys TF.js's WebGPU device at once ('now'), or just before its next run ('next-run'). Only the
   * test build's requests call it (workers/testing/test-hooks.ts), which ask ORT's worker for ORT's.
   */
  async loseTfjsDevice(when: 'now' | 'next-run'): Promise<void> {
    await this.tfjs?.loseDevice(when);
  }

  async unloadAll(): Promise<number> {
    let released = 0;
    for (const runtime of RUNTIMES) if (await this.variant(runtime)?.release()) released++;
    return released;
  }

  private async run(runtime: RuntimeName, image: RgbImage): Promise<VariantResult> {
    const variant = this.variant(runtime);
    if (!variant?.key) throw new WorkerFailure('model-missing', `no ${runtime} model is loaded`);
    return variant.run(image);
  }

  private variant(runtime: RuntimeName): Variant | null {
    return runtime === 'tfjs' ? this.tfjs : this.ort;
  }
}
