/**
 * The worker's two loaded model variants. Each loads once (downloaded, verified, built, warmed up)
 * and stays until another model is asked for. A WebGPU device that is lost, before or during a run,
 * moves that variant to wasm and the run is repeated there, so the request in flight still succeeds
 * (one exception, see run(): ORT cut off mid-run needs a fresh worker, which the page provides).
 */
import { topGrade } from '../../src/shared/grades.js';
import type { ModelManifestEntry } from '../../src/shared/model-manifest.js';
import { modelEntryFolder } from '../../src/shared/model-manifest.js';
import type { RgbImage } from '../../src/shared/pixels.js';
import type {
  LoadedModelReport,
  LoadModelsParams,
  LoadModelsResult,
  ModelLoadProgress,
  OrtBackend,
  RuntimeName,
  VariantResult,
} from '../../src/shared/protocol.js';
import { DeviceWatch } from '../models/device-watch.js';
import { entryBytes, fetchModelFiles, type ModelFiles } from '../models/model-files.js';
import type { ModelRunner } from '../models/model-runner.js';
import { createOrtRunner } from '../models/ort-runner.js';
import { createTfjsRunner } from '../models/tfjs-runner.js';
import { ortWebgpuDevice } from '../runtimes/ort-runtime.js';
import { switchTfjsToWasm, tfjsWebgpuDevice } from '../runtimes/tfjs-runtime.js';
import { describeError, throwIfAborted, WorkerFailure } from '../worker-failure.js';

/** Download progress messages at most this often (the last one always goes). */
const PROGRESS_INTERVAL_MS = 100;
const RUNTIMES: readonly RuntimeName[] = ['tfjs', 'ort'];
const VARIANT_OF: Record<RuntimeName, ModelManifestEntry['variant']> = { tfjs: 'tfjs', ort: 'onnx' };

interface Slot {
  key: string;
  modelsUrl: string;
  runner: ModelRunner;
  watch: DeviceWatch | null;
  /** Set once the variant had to leave its first backend. */
  fallback?: string;
}

export interface LoadContext {
  signal: AbortSignal;
  progress(progress: ModelLoadProgress): void;
}

export interface Backends {
  /** TF.js's working backend after init (TF.js keeps it as its global current backend). */
  tfjs: string | null;
  ort: OrtBackend | null;
}

/** A run given up on because its WebGPU device was lost while it ran. */
class AbandonedRun extends Error {}

/**
 * One image through one runner. On WebGPU the run is raced against the device's loss: a run on a device
 * lost mid-way may never settle (ORT's WebGPU EP does not survive a mapAsync rejection and waits forever).
 */
async function predictWatched(slot: Slot, image: RgbImage): Promise<Float32Array> {
  const run = slot.runner.predict([image]).then(([probabilities]) => probabilities!);
  if (!slot.watch) return run;
  run.catch(() => undefined); // an abandoned run may still reject later
  const outcome = await Promise.race([run, slot.watch.device.lost.then(() => null)]);
  if (outcome === null) throw new AbandonedRun('WebGPU device lost during the run');
  return outcome;
}

export class LoadedModels {
  private readonly slots: Partial<Record<RuntimeName, Slot>> = {};
  private readonly lossArmed = new Set<RuntimeName>();
  /** Set once ORT's wasm instance is stuck in a run abandoned on a lost device. */
  private ortBlocked: WorkerFailure | null = null;

  constructor(private readonly backends: Backends) {}

  async ensure(params: LoadModelsParams, context: LoadContext): Promise<LoadModelsResult> {
    const { modelsUrl, models } = params;
    for (const runtime of RUNTIMES) {
      const entry = models[runtime];
      if (entry?.variant !== VARIANT_OF[runtime])
        throw new WorkerFailure('bad-request', `models.${runtime} must be a ${VARIANT_OF[runtime]} manifest entry`);
      if (!this.backends[runtime])
        throw new WorkerFailure('backend-unavailable', `${runtime} has no working backend on this device`);
    }
    if (models.tfjs.id !== models.ort.id || models.tfjs.version !== models.ort.version) {
      throw new WorkerFailure('bad-request', 'both variants must come from the same model id and version');
    }
    const stale = RUNTIMES.filter((runtime) => this.slots[runtime]?.key !== modelEntryFolder(models[runtime]));
    // Free the old model first: two ResNet50s at once is more memory than a tablet may have.
    for (const runtime of stale) await this.release(runtime);

    const totalBytes = stale.reduce((sum, runtime) => sum + entryBytes(models[runtime]), 0);
    let loadedBytes = 0;
    const downloadStarted = performance.now();
    let lastProgress = -Infinity;
    // Both downloads at once: on a first visit the network, not the CPU, is the slow part.
    const downloads = await Promise.all(
      stale.map(async (runtime) => {
        const files = await fetchModelFiles(models[runtime], modelsUrl, {
          signal: context.signal,
          onBytes: (bytes) => {
            loadedBytes += bytes;
            // At most ~10 messages a second (and the last one): a 92 MiB model arrives in thousands
            // of chunks, and every message is garbage for the worker and a re-render for the page.
            const now = performance.now();
            if (now - lastProgress < PROGRESS_INTERVAL_MS && loadedBytes < totalBytes) return;
            lastProgress = now;
            context.progress({ stage: 'download', runtime, loadedBytes, totalBytes });
          },
        });
        return { runtime, files, downloadMs: performance.now() - downloadStarted };
      }),
    );

    const reports: Partial<Record<RuntimeName, LoadedModelReport>> = {};
    for (const { runtime, files, downloadMs } of downloads) {
      throwIfAborted(context.signal);
      const entry = models[runtime];
      context.progress({ stage: 'warm-up', runtime, backend: this.backends[runtime]! });
      const slot = await this.build(runtime, entry, files, modelsUrl);
      const warmUpMs = params.warmUp === false ? 0 : await slot.runner.warmUp();
      reports[runtime] = {
        runtime,
        backend: slot.runner.backend,
        model: slot.key,
        loaded: true,
        bytes: entryBytes(entry),
        downloadMs,
        warmUpMs,
      };
    }
    for (const runtime of RUNTIMES) {
      const slot = this.slots[runtime]!;
      reports[runtime] ??= {
        runtime,
        backend: slot.runner.backend,
        model: slot.key,
        loaded: false,
        bytes: 0,
        downloadMs: 0,
        warmUpMs: 0,
      };
    }
    return { tfjs: reports.tfjs!, ort: reports.ort! };
  }

  /**
   * Runs one variant on one preprocessed image. On a lost WebGPU device (or, for ORT, any WebGPU run
   * failure) the variant moves to wasm and the run is repeated there, except when ORT was cut off
   * mid-run: its wasm instance then stays blocked, so the request fails with 'device-lost' and the page
   * restarts the worker with ORT on wasm (src/app/inference-service.ts).
   */
  async run(runtime: RuntimeName, image: RgbImage): Promise<VariantResult> {
    if (runtime === 'ort' && this.ortBlocked) throw this.ortBlocked;
    const slot = this.slots[runtime];
    if (!slot) throw new WorkerFailure('model-missing', `no ${runtime} model is loaded`);
    if (slot.watch?.lostReason) await this.fallBackToWasm(runtime, `WebGPU device lost (${slot.watch.lostReason})`);
    if (this.lossArmed.delete(runtime)) await this.destroyDevice(runtime);

    let current = this.slots[runtime]!;
    let started = performance.now();
    let probabilities: Float32Array;
    try {
      probabilities = await predictWatched(current, image);
      // A device lost mid-run may still hand back numbers; they cannot be trusted.
      if (current.watch?.lostReason) throw new AbandonedRun('WebGPU device lost during the run');
    } catch (error) {
      if (current.runner.backend !== 'webgpu') throw error;
      const lost = current.watch ? await current.watch.settle() : null;
      if (runtime === 'ort' && error instanceof AbandonedRun) {
        this.ortBlocked = new WorkerFailure(
          'device-lost',
          `the GPU device was lost while ONNX Runtime ran (${lost}); restart it on wasm`,
          undefined,
          'ort',
        );
        throw this.ortBlocked;
      }
      // TF.js: only a lost device is worth a retry. ORT: any WebGPU run failure.
      if (lost === null && runtime === 'tfjs') throw error;
      await this.fallBackToWasm(
        runtime,
        lost ? `WebGPU device lost (${lost})` : `WebGPU run failed (${describeError(error)})`,
      );
      current = this.slots[runtime]!;
      started = performance.now();
      probabilities = await predictWatched(current, image);
    }
    const ms = performance.now() - started;
    const values = Array.from(probabilities);
    const result: VariantResult = {
      runtime,
      backend: current.runner.backend,
      probabilities: values,
      grade: topGrade(values),
      ms,
    };
    if (current.fallback) result.fallback = current.fallback;
    return result;
  }

  /** The backend the runtime works on now (after any fallback), or null when it has none. */
  backendOf(runtime: RuntimeName): string | null {
    return this.backends[runtime];
  }

  /**
   * Destroys the runtime's WebGPU device at once ('now'), or just before its next run ('next-run', so
   * that the loss hits a request in flight). Only the test build's requests call it
   * (workers/testing/test-hooks.ts).
   */
  async loseDevice(runtime: RuntimeName, when: 'now' | 'next-run'): Promise<void> {
    if (when === 'next-run') this.lossArmed.add(runtime);
    else await this.destroyDevice(runtime);
  }

  async unloadAll(): Promise<number> {
    let released = 0;
    for (const runtime of RUNTIMES) if (await this.release(runtime)) released++;
    return released;
  }

  private async build(
    runtime: RuntimeName,
    entry: ModelManifestEntry,
    files: ModelFiles,
    modelsUrl: string,
  ): Promise<Slot> {
    const runner =
      runtime === 'tfjs'
        ? await createTfjsRunner(entry, files)
        : await createOrtRunner(entry, files, this.backends.ort!);
    let watch: DeviceWatch | null = null;
    if (runner.backend === 'webgpu') {
      const device = runtime === 'tfjs' ? tfjsWebgpuDevice() : await ortWebgpuDevice();
      if (device) watch = new DeviceWatch(device);
    }
    const slot: Slot = { key: modelEntryFolder(entry), modelsUrl, runner, watch };
    this.slots[runtime] = slot;
    return slot;
  }

  private async release(runtime: RuntimeName): Promise<boolean> {
    const slot = this.slots[runtime];
    if (!slot) return false;
    delete this.slots[runtime];
    try {
      await slot.runner.dispose();
    } catch {
      // A runner on a lost device may fail to free GPU objects that are already gone with it.
    }
    return true;
  }

  private async destroyDevice(runtime: RuntimeName): Promise<void> {
    const device = runtime === 'tfjs' ? tfjsWebgpuDevice() : await ortWebgpuDevice();
    device?.destroy();
  }

  /** Rebuilds the variant on wasm from the (re-fetched, re-verified) model files; later loads stay on wasm. */
  private async fallBackToWasm(runtime: RuntimeName, reason: string): Promise<void> {
    const slot = this.slots[runtime]!;
    const entry = slot.runner.entry;
    await this.release(runtime);
    if (runtime === 'tfjs') {
      await switchTfjsToWasm();
      this.backends.tfjs = 'wasm';
    } else {
      this.backends.ort = 'wasm';
    }
    const files = await fetchModelFiles(entry, slot.modelsUrl);
    const rebuilt = await this.build(runtime, entry, files, slot.modelsUrl);
    rebuilt.fallback = `${reason}; now on wasm`;
  }
}
