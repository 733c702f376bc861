/**
 * The inference worker's request handlers (src/shared/protocol.ts RequestMap) and the models they share;
 * ORT runs in a worker of its own that this worker starts (workers/ort/ort-worker-host.ts).
 * Two entries register them: workers/inference.worker.ts (what ships) and, with the test-only requests
 * added, workers/testing/inference-test.worker.ts (what the browser tests run).
 */
import { PROTOCOL_VERSION } from '../src/shared/protocol.js';
import type { Handlers } from './dispatcher.js';
import { describeGpuEnvironment, type DescribeGpus } from './environment.js';
import { KeptPhotos } from './grading/kept-photos.js';
import { LoadedModels } from './grading/loaded-models.js';
import { readAhead } from './grading/loaded-variant.js';
import { gradePhoto, inspectPhoto } from './grading/screen-photo.js';
import { timedSpan } from './models/start-up-timing.js';
import { OrtWorkerHost } from './ort/ort-worker-host.js';
import { automaticGpuChoice } from './runtimes/choose-backend.js';
import type { OrtRuntimeOptions } from './runtimes/ort-runtime.js';
import { initTfjs } from './runtimes/tfjs-runtime.js';
import { throwIfAborted, WorkerFailure } from './worker-failure.js';

export interface InferenceHandlers {
  handlers: Handlers;
  /** The models `init` set up; a `bad-request` failure before it. */
  loaded(): LoadedModels;
  /** The photos `inspect` prepared, for `grade` (kept across `init`: they do not depend on a runtime). */
  photos: KeptPhotos;
}

export interface InferenceHandlerOptions {
  /** How `init` finds the GPUs and the browser; the test build scripts them (workers/testing/). */
  describeGpus?: DescribeGpus;
}

export function createInferenceHandlers({
  describeGpus = describeGpuEnvironment,
}: InferenceHandlerOptions = {}): InferenceHandlers {
  let models: LoadedModels | null = null;
  /** ORT's worker: one for this worker's life (replaced when it dies, see OrtWorkerHost). */
  let ortWorker: OrtWorkerHost | null = null;
  const photos = new KeptPhotos();

  function loaded(): LoadedModels {
    if (!models) throw new WorkerFailure('bad-request', 'send "init" before using models');
    return models;
  }

  const handlers: Handlers = {
    async init(params, { signal, progress }) {
      await models?.unloadAll();
      models = null;
      const { preload } = params;
      if (preload) LoadedModels.checkPair(preload.models);
      // TF.js's stored files are read while the runtimes come up (ORT's worker reads its own).
      const tfjsAhead = preload ? readAhead(preload.models.tfjs, preload.modelsUrl, 'tfjs') : null;
      if (ortWorker?.url !== params.ortWorkerUrl) {
        ortWorker?.terminate();
        ortWorker = new OrtWorkerHost(params.ortWorkerUrl);
      }
      const ort = ortWorker;
      // ORT's worker loads its script while the GPUs are described (its init needs what they are).
      ortWorker.prestart();
      const gpus = await timedSpan('inference:describe gpus', () => describeGpus({ webgl: params.tfjs === 'auto' }));
      const environment = gpus.report;
      throwIfAborted(signal);
      // Automatic choice never picks a software GPU (SwiftShader, llvmpipe…), nor a GPU slower than wasm here.
      const { software, judging } = automaticGpuChoice(gpus, params.verdicts);
      // Both runtimes come up at once, ORT in its worker. ORT's progress is passed on after TF.js's
      // init, so that the page hears of the backends tried in the same order as before.
      const tfjsInit = initTfjs(
        {
          choice: params.tfjs,
          wasmPath: params.tfjsWasmPath,
          wasmThreads: params.wasmThreads,
          software,
          judging,
          webgpuAvailable: environment.webgpu.available,
        },
        (backend) => progress({ stage: 'tfjs', backend }),
      );
      const tfjsTried = tfjsInit.then(
        () => undefined,
        () => undefined,
      );
      // TF.js builds and warms its variant as soon as it is up and ORT's init runs in its worker: not
      // before, since that worker only gets its messages once this thread is free, and TF.js's wasm
      // computes in long synchronous stretches.
      let ortRunning!: () => void;
      const ortStarted = new Promise<void>((resolve) => (ortRunning = resolve));
      const prepared = Promise.all([tfjsInit, ortStarted]).then(
        ([{ backend }]) => {
          if (!backend || !preload || !tfjsAhead) return null;
          const ready = new LoadedModels(backend, ort);
          ready.preloadTfjs(preload, tfjsAhead);
          return ready;
        },
        () => null,
      );
      const ortOptions: OrtRuntimeOptions = {
        choice: params.ort,
        wasmPath: params.ortWasmPath,
        wasmThreads: params.wasmThreads,
        webgpuAvailable: environment.webgpu.available,
        webgpuSoftware: software.webgpu,
        judging,
        ...(preload
          ? { preload: { modelsUrl: preload.modelsUrl, entry: preload.models.ort, warmUp: preload.warmUp !== false } }
          : {}),
      };
      const ortInit = ort.init(ortOptions, {
        signal,
        onProgress: ({ backend }) => {
          ortRunning();
          void tfjsTried.then(() => progress({ stage: 'ort', backend }));
        },
      });
      ortInit.then(ortRunning, ortRunning);
      try {
        const [tfjsReport, ortReport] = await Promise.all([tfjsInit, ortInit]);
        throwIfAborted(signal);
        // Answered once the files are read too: what comes next needs neither storage nor the network for them.
        await tfjsAhead?.files.catch(() => null);
        models = (await prepared) ?? new LoadedModels(tfjsReport.backend, ort);
        return { protocolVersion: PROTOCOL_VERSION, tfjs: tfjsReport, ort: ortReport, environment };
      } catch (error) {
        await (await prepared)?.unloadAll();
        throw error;
      }
    },
    'load-models': (params, context) => loaded().ensure(params, context),
    inspect: (params, context) => inspectPhoto(params, photos, context),
    grade: (params, context) => gradePhoto(params, loaded(), photos, context),
  };
  return { handlers, loaded, photos };
}
