/**
 * The inference worker's request handlers (src/shared/protocol.ts RequestMap) and the models they share.
 * Two entries register them: workers/inference.worker.ts (what ships) and, with the test-only requests
 * added, workers/testing/inference-test.worker.ts (what the browser tests run).
 */
import { PROTOCOL_VERSION, type OrtBackend } from '../src/shared/protocol.js';
import type { Handlers } from './dispatcher.js';
import { describeGpuEnvironment, webglRenderer } from './environment.js';
import { LoadedModels } from './grading/loaded-models.js';
import { gradePhoto, inspectPhoto } from './grading/screen-photo.js';
import { initOrt } from './runtimes/ort-runtime.js';
import { softwareRendererReason } from './runtimes/software-gpu.js';
import { initTfjs } from './runtimes/tfjs-runtime.js';
import { throwIfAborted, WorkerFailure } from './worker-failure.js';

export interface InferenceHandlers {
  handlers: Handlers;
  /** The models `init` set up; a `bad-request` failure before it. */
  loaded(): LoadedModels;
}

export function createInferenceHandlers(): InferenceHandlers {
  let models: LoadedModels | null = null;

  function loaded(): LoadedModels {
    if (!models) throw new WorkerFailure('bad-request', 'send "init" before using models');
    return models;
  }

  const handlers: Handlers = {
    async init(params, { signal, progress }) {
      await models?.unloadAll();
      models = null;
      const { report: environment, webgpuAdapter } = await describeGpuEnvironment();
      throwIfAborted(signal);
      // Automatic choice never picks a software GPU (SwiftShader, llvmpipe…): far slower than wasm.
      const webgpuSoftware = softwareRendererReason(webgpuAdapter);
      const webglSoftware = params.tfjs === 'auto' ? softwareRendererReason(webglRenderer()) : null;
      const tfjs = await initTfjs(
        {
          choice: params.tfjs,
          wasmPath: params.tfjsWasmPath,
          wasmThreads: params.wasmThreads,
          software: { webgpu: webgpuSoftware, webgl: webglSoftware },
        },
        (backend) => progress({ stage: 'tfjs', backend }),
      );
      throwIfAborted(signal);
      const ort = await initOrt(
        {
          choice: params.ort,
          wasmPath: params.ortWasmPath,
          wasmThreads: params.wasmThreads,
          webgpuAvailable: environment.webgpu.available,
          webgpuSoftware,
        },
        (backend) => progress({ stage: 'ort', backend }),
      );
      models = new LoadedModels({ tfjs: tfjs.backend, ort: ort.backend as OrtBackend | null });
      return { protocolVersion: PROTOCOL_VERSION, tfjs, ort, environment };
    },
    'load-models': (params, context) => loaded().ensure(params, context),
    inspect: (params, context) => inspectPhoto(params, context),
    grade: (params, context) => gradePhoto(params, loaded(), context),
  };
  return { handlers, loaded };
}
