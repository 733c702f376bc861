/**
 * Handlers of the test-only requests (test-protocol.ts). Only the test build of the worker registers
 * them (inference-test.worker.ts); the production entry never imports this module.
 */
import type { Handlers } from '../dispatcher.js';
import type { LoadedModels } from '../grading/loaded-models.js';
import { ortLiveObjects } from '../models/ort-runner.js';
import { tfjsMemory } from '../runtimes/tfjs-runtime.js';
import type { TestRequestMap } from './test-protocol.js';

export function testHandlers(loaded: () => LoadedModels): Handlers<TestRequestMap> {
  return {
    async memory() {
      loaded();
      const { sessions, tensors } = ortLiveObjects();
      return { tfjs: tfjsMemory(), ort: { sessions, liveTensors: tensors } };
    },
    'unload-models': async () => ({ released: await loaded().unloadAll() }),
    async 'simulate-device-loss'({ runtime, when }) {
      const models = loaded();
      const backend = models.backendOf(runtime);
      if (backend !== 'webgpu') return { backend, armed: false };
      await models.loseDevice(runtime, when);
      return { backend, armed: true };
    },
  };
}
