/**
 * The inference worker: both runtimes live here so that model loading, shader compilation and
 * inference never block the page. Messages follow src/shared/protocol.ts.
 */
import { PROTOCOL_VERSION } from '../src/shared/protocol.js';
import { createDispatcher, type Handlers } from './dispatcher.js';
import { describeEnvironment } from './environment.js';
import { initOrt } from './runtimes/ort-runtime.js';
import { initTfjs } from './runtimes/tfjs-runtime.js';
import { throwIfAborted } from './worker-failure.js';

declare const self: DedicatedWorkerGlobalScope;

const handlers: Handlers = {
  async init(params, { signal, progress }) {
    const environment = await describeEnvironment();
    throwIfAborted(signal);
    const tfjs = await initTfjs(
      { choice: params.tfjs, wasmPath: params.tfjsWasmPath, wasmThreads: params.wasmThreads },
      (backend) => progress({ stage: 'tfjs', backend }),
    );
    throwIfAborted(signal);
    const ort = await initOrt(
      { choice: params.ort, wasmPath: params.ortWasmPath, wasmThreads: params.wasmThreads },
      (backend) => progress({ stage: 'ort', backend }),
    );
    return { protocolVersion: PROTOCOL_VERSION, tfjs, ort, environment };
  },
};

const dispatch = createDispatcher(handlers, self);
self.addEventListener('message', (event: MessageEvent<unknown>) => dispatch(event.data));
