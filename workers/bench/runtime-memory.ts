import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { BrowserRuntime, MemorySnapshot } from '../../src/shared/bench/bench-types.js';
import { ortLiveObjects } from '../models/ort-runner.js';

/** tf.memory() on webgl and webgpu also counts the bytes of tensor data on the GPU. */
interface GpuMemoryInfo extends tf.MemoryInfo {
  numBytesInGPU?: number;
}

/** What the runtime itself can say about its memory; uaBytes is the page's to measure. */
export function runtimeMemory(runtime: BrowserRuntime): Omit<MemorySnapshot, 'uaBytes'> {
  if (runtime === 'ort') {
    // ORT-web exposes neither its wasm heap nor its GPU buffers: only the tensors the runner holds.
    return { tensors: ortLiveObjects().tensors, gpuBytes: null, wasmHeapBytes: null };
  }
  const memory = tf.memory() as GpuMemoryInfo;
  // The Emscripten module's heap view spans the whole wasm memory.
  const wasm =
    tf.getBackend() === 'wasm' ? ((tf.backend() as BackendWasm).wasm as unknown as { HEAPU8: Uint8Array }) : null;
  return {
    tensors: memory.numTensors,
    gpuBytes: typeof memory.numBytesInGPU === 'number' ? memory.numBytesInGPU : null,
    wasmHeapBytes: wasm ? wasm.HEAPU8.buffer.byteLength : null,
  };
}
