/**
 * Handlers of the test-only requests (test-protocol.ts). Only the test build of the worker registers
 * them (inference-test.worker.ts); the production entry never imports this module. Whatever concerns
 * ORT they ask of the ONNX Runtime worker's test build (ort-test-hooks.ts).
 */
import type { Handlers } from '../dispatcher.js';
import type { KeptPhotos } from '../grading/kept-photos.js';
import type { LoadedModels } from '../grading/loaded-models.js';
import { tfjsMemory } from '../runtimes/tfjs-runtime.js';
import { toWorkerError } from '../worker-failure.js';
import type { ScriptedGpus } from './scripted-gpus.js';
import type { OrtTestingRequestMap, TestRequestMap } from './test-protocol.js';

export function testHandlers(
  loaded: () => LoadedModels,
  photos: KeptPhotos,
  decodes: () => number,
  gpus: ScriptedGpus,
): Handlers<TestRequestMap> {
  return {
    async memory() {
      const ort = await loaded().ort.request<OrtTestingRequestMap, 'memory'>('memory', {});
      return { tfjs: tfjsMemory(), ort };
    },
    'unload-models': async () => ({ released: await loaded().unloadAll() }),
    async 'simulate-device-loss'({ runtime, when }) {
      const models = loaded();
      if (runtime === 'ort') {
        return models.ort.request<OrtTestingRequestMap, 'simulate-device-loss'>('simulate-device-loss', { when });
      }
      const backend = models.backendOf(runtime);
      if (backend !== 'webgpu') return { backend, armed: false };
      await models.loseTfjsDevice(when);
      return { backend, armed: true };
    },
    async 'crash-ort-worker'() {
      const crash = loaded().ort.request<OrtTestingRequestMap, 'crash'>('crash', {});
      return { error: toWorkerError(await crash.then(null, (error: unknown) => error)) };
    },
    'photo-stats': async () => ({ kept: photos.size, decodes: decodes() }),
    'forget-photos': async () => ({ forgotten: photos.clear() }),
    'script-gpus': async (script) => ({ scripted: gpus.script(script) }),
  };
}
