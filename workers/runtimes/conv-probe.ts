/**
 * The speed probe both runtimes time a GPU backend against wasm with: 3×3 convolutions, 64 channels in
 * and out, each followed by ReLU, on a 56×56 map (the shape of ResNet50's first stage), then the mean.
 * A few layers rather than one, so that per-dispatch overheads weigh as they do in a real network; the
 * image goes in from the CPU and one small result comes back on every run, as in a grading.
 */
export const CONV_PROBE = { side: 56, channels: 64, layers: 3, kernel: 3 } as const;

export const CONV_PROBE_INPUT_SIZE = CONV_PROBE.side * CONV_PROBE.side * CONV_PROBE.channels;
export const CONV_PROBE_FILTER_SIZE = CONV_PROBE.kernel * CONV_PROBE.kernel * CONV_PROBE.channels * CONV_PROBE.channels;

/**
 * Reproducible values in [-scale, scale): the numbers do not matter, only that they are ordinary floats
 * (no zeros a backend could skip, no denormals), and small enough for ReLU stacks to stay finite.
 */
export function probeValues(count: number, seed: number, scale: number): Float32Array {
  const values = new Float32Array(count);
  let state = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    // xorshift32
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    values[i] = (state / 0x100000000) * 2 * scale - scale;
  }
  return values;
}

/** The input map's values (layout-free: the runtimes read them as NHWC or NCHW alike). */
export function convProbeInput(): Float32Array {
  return probeValues(CONV_PROBE_INPUT_SIZE, 1, 1);
}

/** One layer's filter values; He-like scale, so activations neither vanish nor grow layer after layer. */
export function convProbeFilter(layer: number): Float32Array {
  const fanIn = CONV_PROBE.kernel * CONV_PROBE.kernel * CONV_PROBE.channels;
  return probeValues(CONV_PROBE_FILTER_SIZE, layer + 2, Math.sqrt(6 / fanIn));
}
