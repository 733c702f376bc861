/**
 * One model variant, in the worker that runs its runtime: TF.js's in the inference worker
 * (loaded-models.ts), ORT's in the ONNX Runtime worker (workers/ort/ort-handlers.ts). It loads once
 * (downloaded, verified, built, warmed up) and stays until another model is asked for. A WebGPU device
 * that is lost, before or during a run, moves the variant to wasm and the run is repeated there, so the
 * request in flight still succeeds; one exception, see run(): ORT cut off mid-run is stuck for good in
 * its worker, which the inference worker then replaces (workers/ort/ort-worker-host.ts).
 */
import { topGrade } from '../../src/shared/grades.js';
import type { ModelManifestEntry } from '../../src/shared/model-manifest.js';
import { modelEntryFolder } from '../../src/shared/model-manifest.js';
import type { RgbImage } from '../../src/shared/pixels.js';
import type { LoadedModelReport, RuntimeName, VariantResult } from '../../src/shared/protocol.js';
import { DeviceWatch } from '../models/device-watch.js';
import { entryBytes, fetchModelFiles, readStoredModelFiles, type ModelFiles } from '../models/model-files.js';
import { timedSpan } from '../models/start-up-timing.js';
import type { ExplainedPrediction, ModelRunner } from '../models/model-runner.js';
import { describeError, throwIfAborted, WorkerFailure } from '../worker-failure.js';

/** What LoadedVariant needs to know of its runtime. */
export interface VariantRuntime {
  readonly runtime: RuntimeName;
  /** The runtime's name in messages. */
  readonly label: string;
  createRunner(entry: ModelManifestEntry, files: ModelFiles, backend: string): Promise<ModelRunner>;
  /** The GPUDevice the runtime computes on, once a WebGPU runner exists. */
  webgpuDevice(): Promise<GPUDevice | null>;
  /** Makes wasm the runtime's backend for the rest of the worker's life, after its GPU device was lost. */
  switchToWasm(): Promise<void>;
  /** True: any failed WebGPU run is repeated on wasm (ORT); false: only a run on a lost device (TF.js). */
  readonly retryAnyWebgpuFailure: boolean;
  /**
   * True when a run given up on a lost device leaves the runtime stuck in this worker (ORT's WebGPU EP
   * never settles such a run, and its wasm instance waits on it): the variant then fails every run
   * with 'device-lost', and the worker must be replaced.
   */
  readonly stuckAfterAbandonedRun: boolean;
}

export interface VariantLoadHooks {
  signal?: AbortSignal | undefined;
  /** false: no warm-up runs after building. */
  warmUp: boolean;
  /** Bytes of the variant's files so far, after every chunk. */
  onBytes?(loadedBytes: number): void;
  /** Every file is downloaded and verified; the build on `backend` starts once the returned promise settles. */
  beforeBuild?(backend: string): Promise<void> | void;
}

/** A variant's files being read from Cache Storage ahead of its load (readAhead). */
export interface FilesReadAhead {
  /** Every file, checked; null when one is not stored. Rejects as the read does ('model-integrity'). */
  files: Promise<ModelFiles | null>;
  /** performance.now() when the read began. */
  startedAt: number;
}

/** Starts reading `entry`'s stored files (for LoadedVariant.preload); nothing is downloaded. */
export function readAhead(entry: ModelManifestEntry, modelsUrl: string, runtime: RuntimeName): FilesReadAhead {
  const startedAt = performance.now();
  const files = readStoredModelFiles(entry, modelsUrl, { timingLabel: runtime });
  files.catch(() => undefined); // its load reports the failure
  return { files, startedAt };
}

interface Preload {
  key: string;
  abort: AbortController;
  /** The load's report; null when a file was not stored, and nothing was built. */
  done: Promise<LoadedModelReport | null>;
}

interface Slot {
  key: string;
  modelsUrl: string;
  runner: ModelRunner;
  watch: DeviceWatch | null;
}

/** A run given up on because its WebGPU device was lost while it ran. */
class AbandonedRun extends Error {}

/**
 * One image through one runner: probabilities and heatmap. On WebGPU the run is raced against the
 * device's loss: a run on a device lost mid-way may never settle (ORT's WebGPU EP does not survive a
 * mapAsync rejection and waits forever).
 */
async function predictWatched(slot: Slot, image: RgbImage): Promise<ExplainedPrediction> {
  const run = slot.runner.explain([image]).then(([prediction]) => prediction!);
  if (!slot.watch) return run;
  run.catch(() => undefined); // an abandoned run may still reject later
  const outcome = await Promise.race([run, slot.watch.device.lost.then(() => null)]);
  if (outcome === null) throw new AbandonedRun('WebGPU device lost during the run');
  return outcome;
}

export class LoadedVariant {
  private slot: Slot | null = null;
  private pendingPreload: Preload | null = null;
  private lossArmed = false;
  /** Set once the runtime is stuck in a run abandoned on a lost device. */
  private stuck: WorkerFailure | null = null;
  /** Set once the variant had to leave its first backend. */
  private fallback: string | undefined;

  /** `backend`: the one the runtime's init brought up. */
  constructor(
    private readonly runtime: VariantRuntime,
    private currentBackend: string,
  ) {}

  /** The loaded model's folder (<id>/<version>/<variant>-<weights>), null when none is loaded. */
  get key(): string | null {
    return this.slot?.key ?? null;
  }

  /** The backend the runtime works on now (after any fallback). */
  get backend(): string {
    return this.currentBackend;
  }

  /** The report of a model that was already loaded, so nothing was done. */
  keptReport(): LoadedModelReport {
    const slot = this.slot;
    if (!slot) throw new WorkerFailure('model-missing', `no ${this.runtime.runtime} model is loaded`);
    const { runtime } = this.runtime;
    return {
      runtime,
      backend: slot.runner.backend,
      model: slot.key,
      loaded: false,
      bytes: 0,
      downloadMs: 0,
      warmUpMs: 0,
    };
  }

  /** Replaces the loaded model (freed first: two ResNet50s at once may be more than a tablet has). */
  async load(entry: ModelManifestEntry, modelsUrl: string, hooks: VariantLoadHooks): Promise<LoadedModelReport> {
    const preloaded = await this.takePreload(entry);
    if (preloaded) {
      hooks.onBytes?.(preloaded.bytes);
      await hooks.beforeBuild?.(preloaded.backend);
      return preloaded;
    }
    await this.release();
    const started = performance.now();
    let loadedBytes = 0;
    const files = await fetchModelFiles(entry, modelsUrl, {
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      timingLabel: this.runtime.runtime,
      onBytes: (bytes) => {
        loadedBytes += bytes;
        hooks.onBytes?.(loadedBytes);
      },
    });
    const downloadMs = performance.now() - started;
    await hooks.beforeBuild?.(this.currentBackend);
    if (hooks.signal) throwIfAborted(hooks.signal);
    return this.buildAndWarmUp(entry, files, modelsUrl, hooks.warmUp, downloadMs);
  }

  /**
   * Replaces the loaded model with `entry`'s as soon as its files are read (`ahead`), before anyone asks
   * for it: load() of the same entry takes the outcome over instead of starting again. Nothing is built
   * when a file was not stored: that load downloads it.
   */
  preload(entry: ModelManifestEntry, modelsUrl: string, ahead: FilesReadAhead, warmUp: boolean): void {
    const abort = new AbortController();
    const done = (async () => {
      const files = await ahead.files;
      if (!files || abort.signal.aborted) return null;
      await this.freeSlot();
      return this.buildAndWarmUp(entry, files, modelsUrl, warmUp, performance.now() - ahead.startedAt);
    })();
    done.catch(() => undefined); // takePreload's caller reports the failure
    this.pendingPreload = { key: modelEntryFolder(entry), abort, done };
  }

  /** Whether a preload of `entry` was begun and no load has taken it over yet. */
  preloading(entry: ModelManifestEntry): boolean {
    return this.pendingPreload?.key === modelEntryFolder(entry);
  }

  /** The preload of `entry`, handed over once: its report, null when it built nothing, or its failure. */
  private async takePreload(entry: ModelManifestEntry): Promise<LoadedModelReport | null> {
    const preload = this.pendingPreload;
    if (preload?.key !== modelEntryFolder(entry)) return null;
    this.pendingPreload = null;
    return preload.done;
  }

  /**
   * Runs the model on one preprocessed image: probabilities, and the heatmap of the grade they give
   * (its time is part of `ms`, and on its own in heatmap.ms). On a lost WebGPU device (or, where the
   * runtime says so, any WebGPU run failure) the variant moves to wasm and the run is repeated there,
   * except when the runtime is stuck in a run cut off mid-way (stuckAfterAbandonedRun): then this and
   * every later run fails with 'device-lost'.
   */
  async run(image: RgbImage): Promise<VariantResult> {
    if (this.stuck) throw this.stuck;
    const { runtime, label } = this.runtime;
    if (!this.slot) throw new WorkerFailure('model-missing', `no ${runtime} model is loaded`);
    if (this.slot.watch?.lostReason) await this.fallBackToWasm(`WebGPU device lost (${this.slot.watch.lostReason})`);
    if (this.lossArmed) {
      this.lossArmed = false;
      await this.destroyDevice();
    }

    let current = this.slot;
    let started = performance.now();
    let prediction: ExplainedPrediction;
    try {
      prediction = await predictWatched(current, image);
      // A device lost mid-run may still hand back numbers; they cannot be trusted.
      if (current.watch?.lostReason) throw new AbandonedRun('WebGPU device lost during the run');
    } catch (error) {
      if (current.runner.backend !== 'webgpu') throw error;
      const lost = current.watch ? await current.watch.settle() : null;
      if (this.runtime.stuckAfterAbandonedRun && error instanceof AbandonedRun) {
        this.stuck = new WorkerFailure(
          'device-lost',
          `the GPU device was lost while ${label} ran (${lost})`,
          undefined,
          runtime,
        );
        throw this.stuck;
      }
      if (lost === null && !this.runtime.retryAnyWebgpuFailure) throw error;
      await this.fallBackToWasm(lost ? `WebGPU device lost (${lost})` : `WebGPU run failed (${describeError(error)})`);
      current = this.slot!;
      started = performance.now();
      prediction = await predictWatched(current, image);
    }
    const ended = performance.now();
    const values = Array.from(prediction.probabilities);
    const result: VariantResult = {
      runtime,
      backend: current.runner.backend,
      probabilities: values,
      grade: topGrade(values),
      ms: ended - started,
      // On the epoch's clock: another worker's performance.now() counts from another origin.
      startedAt: performance.timeOrigin + started,
      endedAt: performance.timeOrigin + ended,
      heatmap: prediction.heatmap,
    };
    if (this.fallback) result.fallback = this.fallback;
    return result;
  }

  /**
   * Destroys the runtime's WebGPU device at once ('now'), or just before the next run ('next-run', so
   * that the loss hits a request in flight). Only the test builds' requests call it (workers/testing/).
   */
  async loseDevice(when: 'now' | 'next-run'): Promise<void> {
    if (when === 'next-run') this.lossArmed = true;
    else await this.destroyDevice();
  }

  /** Frees the loaded model, once a preload in progress has stopped; false when none was loaded. */
  async release(): Promise<boolean> {
    const preload = this.pendingPreload;
    if (preload) {
      this.pendingPreload = null;
      preload.abort.abort();
      await preload.done.catch(() => undefined);
    }
    return this.freeSlot();
  }

  private async freeSlot(): Promise<boolean> {
    const slot = this.slot;
    if (!slot) return false;
    this.slot = null;
    try {
      await slot.runner.dispose();
    } catch {
      // A runner on a lost device may fail to free GPU objects that are already gone with it.
    }
    return true;
  }

  private async buildAndWarmUp(
    entry: ModelManifestEntry,
    files: ModelFiles,
    modelsUrl: string,
    warmUp: boolean,
    downloadMs: number,
  ): Promise<LoadedModelReport> {
    const { runtime } = this.runtime;
    const slot = await timedSpan(`${runtime}:build`, () => this.build(entry, files, modelsUrl));
    const warmUpMs = warmUp ? await timedSpan(`${runtime}:warm-up`, () => slot.runner.warmUp()) : 0;
    return {
      runtime,
      backend: slot.runner.backend,
      model: slot.key,
      loaded: true,
      bytes: entryBytes(entry),
      downloadMs,
      warmUpMs,
    };
  }

  private async build(entry: ModelManifestEntry, files: ModelFiles, modelsUrl: string): Promise<Slot> {
    const runner = await this.runtime.createRunner(entry, files, this.currentBackend);
    let watch: DeviceWatch | null = null;
    if (runner.backend === 'webgpu') {
      const device = await this.runtime.webgpuDevice();
      if (device) watch = new DeviceWatch(device);
    }
    const slot: Slot = { key: modelEntryFolder(entry), modelsUrl, runner, watch };
    this.slot = slot;
    return slot;
  }

  private async destroyDevice(): Promise<void> {
    if (this.currentBackend !== 'webgpu') return;
    (await this.runtime.webgpuDevice())?.destroy();
  }

  /** Rebuilds the model on wasm from the (re-fetched, re-verified) files; later loads stay on wasm. */
  private async fallBackToWasm(reason: string): Promise<void> {
    const { runner, modelsUrl } = this.slot!;
    await this.release();
    await this.runtime.switchToWasm();
    this.currentBackend = 'wasm';
    const files = await fetchModelFiles(runner.entry, modelsUrl);
    await this.build(runner.entry, files, modelsUrl);
    this.fallback = `${reason}; now on wasm`;
  }
}
