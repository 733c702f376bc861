/**
 * The one message protocol between the inference worker and the ONNX Runtime worker it starts
 * (workers/ort.worker.ts). ORT runs there, in a nested dedicated worker, so that it grades at the same
 * time as TF.js, which stays in the inference worker. The messages are those of every worker boundary
 * here (src/shared/protocol.ts: request, cancel, progress, result, error); workers/dispatcher.ts answers
 * them in the ORT worker and workers/inference-client.ts asks them from the inference worker
 * (workers/ort/ort-worker-host.ts). Test-only requests: workers/testing/test-protocol.ts.
 */
import type { ModelManifestEntry } from '../../src/shared/model-manifest.js';
import type { RgbImage } from '../../src/shared/pixels.js';
import type { BackendChoice, LoadedModelReport, RuntimeReport, VariantResult } from '../../src/shared/protocol.js';

/** What initOrt (workers/runtimes/ort-runtime.ts) takes: the bench worker calls it directly too. */
export interface OrtInitParams {
  choice: BackendChoice;
  /** The folder ORT's wasm builds are served from, ending in '/'. */
  wasmPath: string;
  wasmThreads?: number | undefined;
  /** False when the browser offers no WebGPU adapter: WebGPU is skipped, so the CPU-only build loads. */
  webgpuAvailable?: boolean | undefined;
  /**
   * Why the WebGPU adapter runs in software (workers/runtimes/software-gpu.ts): with the automatic choice WebGPU is
   * skipped (and the CPU-only build loads). A forced WebGPU is still tried.
   */
  webgpuSoftware?: string | null | undefined;
  /**
   * The model `load-model` will ask for next (InitParams.preload): its stored file is read while ORT comes
   * up, and built and warmed as soon as ORT is up; `load-model` of the same entry then takes that over.
   */
  preload?: OrtLoadParams | undefined;
}

/** One backend ORT is trying now. */
export interface OrtInitProgress {
  backend: string;
}

export interface OrtLoadParams {
  /** URL of the folder manifest paths are relative to, ending in '/'. */
  modelsUrl: string;
  /** The ONNX variant's manifest entry: its files are downloaded and checked against their sha256 here. */
  entry: ModelManifestEntry;
  warmUp: boolean;
}

export type OrtLoadProgress =
  /** Bytes of this model's files so far (at most every 50 ms, and the last chunk). */
  | { stage: 'download'; loadedBytes: number }
  /** Every file is verified: the session is being built on `backend`, then warmed up. */
  | { stage: 'warm-up'; backend: string };

export interface OrtRunParams {
  /** The preprocessed 300×300 RGB image (copied, not transferred: TF.js grades the same one meanwhile). */
  image: RgbImage;
}

/** Request name → its params, result and progress payloads: what the inference worker asks of ORT's. */
export type OrtRequestMap = {
  /** Brings ORT up along its fallback chain (workers/runtimes/ort-runtime.ts); once per worker in practice. */
  init: { params: OrtInitParams; result: RuntimeReport; progress: OrtInitProgress };
  /** Replaces the loaded model with `entry`'s: download, sha256, session, warm-up. */
  'load-model': { params: OrtLoadParams; result: LoadedModelReport; progress: OrtLoadProgress };
  /** One image through the loaded model; a lost WebGPU device moves it to wasm (loaded-variant.ts). */
  run: { params: OrtRunParams; result: VariantResult; progress: never };
  /** Frees the loaded model's session; `released`: whether there was one. */
  unload: { params: Record<string, never>; result: { released: boolean }; progress: never };
};
