/**
 * The inference worker: both runtimes live here so that decoding, model loading, shader compilation
 * and inference never block the page. Messages follow src/shared/protocol.ts.
 */
import { PROTOCOL_VERSION, type OrtBackend } from '../src/shared/protocol.js';
import { createDispatcher, type Handlers } from './dispatcher.js';
import { describeEnvironment } from './environment.js';
import { LoadedModels } from './grading/loaded-models.js';
import { gradePhoto, inspectPhoto } from './grading/screen-photo.js';
import { initOrt } from './runtimes/ort-runtime.js';
import { initTfjs } from './runtimes/tfjs-runtime.js';
import { throwIfAborted, WorkerFailure } from './worker-failure.js';

declare const self: DedicatedWorkerGlobalScope;

let models: LoadedModels | null = null;

function loaded(): LoadedModels {
  if (!models) throw new WorkerFailure('bad-request', 'send "init" before using models');
  return models;
}

const handlers: Handlers = {
  async init(params, { signal, progress }) {
    await models?.unloadAll();
    models = null;
    const environment = await describeEnvironment();
    throwIfAborted(signal);
    const tfjs = await initTfjs(
      { choice: params.tfjs, wasmPath: params.tfjsWasmPath, wasmThreads: params.wasmThreads },
      (backend) => progress({ stage: 'tfjs', backend }),
    );
    throwIfAborted(signal);
    const ort = await initOrt(
      { choice: params.ort, wasmPath: params.ortWasmPath, wasmThreads: params.wasmThreads, webgpuAvailable: environment.webgpu.available },
      (backend) => progress({ stage: 'ort', backend }),
    );
    models = new LoadedModels({ tfjs: tfjs.backend, ort: ort.backend as OrtBackend | null });
    return { protocolVersion: PROTOCOL_VERSION, tfjs, ort, environment };
  },
  'load-models': (params, context) => loaded().ensure(params, context),
  inspect: (params, context) => inspectPhoto(params, context),
  grade: (params, context) => gradePhoto(params, loaded(), context),
  memory: async () => loaded().memory(),
  'unload-models': async () => ({ released: await loaded().unloadAll() }),
  'simulate-device-loss': (params) => loaded().simulateDeviceLoss(params),
};

const dispatch = createDispatcher(handlers, self);
self.addEventListener('message', (event: MessageEvent<unknown>) => dispatch(event.data));
