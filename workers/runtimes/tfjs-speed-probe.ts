import * as tf from '@tensorflow/tfjs';
import { CONV_PROBE, convProbeFilter, convProbeInput } from './conv-probe.js';
import { dropThreshold, timeProbe, type GpuBackend, type ProbeTiming } from './gpu-speed.js';

const { side, channels, layers, kernel } = CONV_PROBE;

/** The convolution probe's median time on `backend`, which becomes TF.js's current backend. */
async function timeTfjsProbe(backend: string, decidesAt?: number): Promise<number> {
  if (!(await tf.setBackend(backend))) throw new Error(`${backend} backend failed to initialise`);
  await tf.ready();
  const input = convProbeInput();
  const filters = Array.from({ length: layers }, (_, layer) =>
    tf.tensor4d(convProbeFilter(layer), [kernel, kernel, channels, channels]),
  );
  try {
    return await timeProbe(
      async () => {
        const mean = tf.tidy(() => {
          let x: tf.Tensor4D = tf.tensor4d(input, [1, side, side, channels]);
          for (const filter of filters) x = tf.relu(tf.conv2d(x, filter, 1, 'same'));
          return tf.mean(x);
        });
        try {
          await mean.data();
        } finally {
          mean.dispose();
        }
      },
      { decidesAt },
    );
  } finally {
    for (const filter of filters) filter.dispose();
  }
}

/**
 * TF.js's speed measure for walkBackendChain: wasm is timed once per init (the first GPU backend to
 * compare asks for it), then the GPU backend, which is current again afterwards.
 */
export function tfjsSpeedMeasure(): (gpu: GpuBackend) => Promise<ProbeTiming | null> {
  let wasmMs: number | null | undefined;
  return async (gpu) => {
    if (wasmMs === undefined) wasmMs = await timeTfjsProbe('wasm').catch(() => null);
    if (wasmMs === null) {
      if (!(await tf.setBackend(gpu))) throw new Error(`${gpu} backend failed to initialise again`);
      return null;
    }
    return { gpuMs: await timeTfjsProbe(gpu, dropThreshold(wasmMs)), wasmMs };
  };
}
