/**
 * Handlers of the ONNX Runtime worker's test-only requests (test-protocol.ts OrtTestRequestMap). Only
 * its test build registers them (ort-test.worker.ts); the inference worker's test build asks them
 * (test-hooks.ts). The production entry never imports this module.
 */
import type { Handlers } from '../dispatcher.js';
import type { LoadedVariant } from '../grading/loaded-variant.js';
import { ortLiveObjects } from '../models/ort-runner.js';
import type { OrtTestRequestMap } from './test-protocol.js';

export function ortTestHandlers(loaded: () => LoadedVariant): Handlers<OrtTestRequestMap> {
  return {
    async memory() {
      const { sessions, tensors } = ortLiveObjects();
      return { sessions, liveTensors: tensors };
    },
    async 'simulate-device-loss'({ when }) {
      const variant = loaded();
      if (variant.backend !== 'webgpu') return { backend: variant.backend, armed: false };
      await variant.loseDevice(when);
      return { backend: variant.backend, armed: true };
    },
    crash: () =>
      new Promise<never>(() => {
        setTimeout(() => {
          throw new Error('crashed on purpose');
        });
      }),
  };
}
