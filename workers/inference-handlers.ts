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
import { gradePhoto, inspectPhoto } from './grading/screen-photo.js';
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
      const gpus = await describeGpus({ webgl: params.tfjs === 'auto' });
      const environment = gpus.report;
      throwIfAborted(signal);
      // Automatic choice never picks a software GPU (SwiftShader, llvmpipe…), nor a GPU slower than wasm here.
      const { software, judging } = automaticGpuChoice(gpus, params.verdicts);
      if (ortWorker?.url !== params.ortWorkerUrl) {
        ortWorker?.terminate();
        ortWorker = new OrtWorkerHost(params.ortWorkerUrl);
      }
      // Both runtimes come up at once, ORT in its worker. ORT's progress is passed on after TF.js's
      // init, so that the page hears of the backends tried in the same order as before.
      const tfjsInit = initTfjs(
        {
          choice: params.tfjs,
          wasmPath: params.tfjsWasmPath,
          wasmThreads: params.wasmThreads,
          software,
          judging,
        },
        (backend) => progress({ stage: 'tfjs', backend }),
      );
      const tfjsTried = tfjsInit.then(
        () => undefined,
        () => undefined,
      );
      const ortOptions: OrtRuntimeOptions = {
        choice: params.ort,
        wasmPath: params.ortWasmPath,
        wasmThreads: params.wasmThreads,
        webgpuAvailable: environment.webgpu.available,
        webgpuSoftware: software.webgpu,
        judging,
      };
      const ortInit = ortWorker.init(ortOptions, {
        signal,
        onProgress: ({ backend }) => void tfjsTried.then(() => progress({ stage: 'ort', backend })),
      });
      const [tfjs, ort] = await Promise.all([tfjsInit, ortInit]);
      throwIfAborted(signal);
      models = new LoadedModels(tfjs.backend, ortWorker);
      return { protocolVersion: PROTOCOL_VERSION, tfjs, ort, environment };
    },
    'load-models': (params, context) => loaded().ensure(params, context),
    inspect: (params, context) => inspectPhoto(params, photos, context),
    grade: (params, context) => gradePhoto(params, loaded(), photos, context),
  };
  return { handlers, loaded, photos };
}
