import * as tf from '@tensorflow/tfjs';
import { installWasmTrainingKernels } from './wasm-training-kernels.js';
import { installWasmConvGradients } from './wasm-conv-gradients.js';

export const TRAINING_BACKENDS = ['wasm', 'cpu', 'webgpu'] as const;
export type TrainingBackend = (typeof TRAINING_BACKENDS)[number];

export interface BackendOptions {
  /**
   * On wasm: register the training kernels (wasm-conv-gradients.ts, wasm-training-kernels.ts).
   * Default true; false leaves tfjs-wasm as it is, which cannot train conv nets (no
   * Conv2DBackpropFilter), for benchmarks that install kernels one by one.
   */
  trainingKernels?: boolean;
}

/**
 * Selects the TF.js backend for training. wasm is the CPU workhorse (with this folder's training
 * kernels); cpu is ~100× slower on big convolutions but starts instantly, which
 * suits tests on tiny shapes; webgpu has every gradient kernel and needs `navigator.gpu`, i.e. a
 * browser, or Node with a WebGPU implementation installed as globals.
 */
export async function initTrainingBackend(name: TrainingBackend, options: BackendOptions = {}): Promise<void> {
  // Prod mode skips per-op debug checks and the cpu backend's "use tfjs-node" banner (which cannot
  // be installed here).
  tf.enableProdMode();
  if (name === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    if (options.trainingKernels ?? true) {
      installWasmConvGradients();
      installWasmTrainingKernels();
    }
  }
  if (name === 'webgpu') {
    if ((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu === undefined) {
      throw new Error(
        'the webgpu backend needs navigator.gpu: run in a browser, or give Node a WebGPU implementation (e.g. the "webgpu" npm package\'s globals) first',
      );
    }
    await import('@tensorflow/tfjs-backend-webgpu');
  }
  if (!(await tf.setBackend(name))) throw new Error(`TF.js backend "${name}" failed to initialise`);
  await tf.ready();
}
