import * as tf from '@tensorflow/tfjs';

/**
 * Runs one backend's registered kernels directly on TensorInfos, the way a backend's own kernels
 * compose each other (tfjs-backend-wasm's kernels call `reshape`/`transpose` kernel functions and
 * free what they made). Going through tf ops instead would create engine-tracked tensors inside a
 * kernel, and during a gradient computation those could be recorded on the tape.
 *
 * Every output is an intermediate owned by this object until `finish` hands one to the caller.
 */
export class KernelCalls {
  readonly #backendName: string;
  readonly #backend: tf.KernelBackend;
  readonly #intermediates: tf.TensorInfo[] = [];

  constructor(backendName: string, backend: tf.KernelBackend) {
    this.#backendName = backendName;
    this.#backend = backend;
  }

  run(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
    const config = tf.getKernel(kernelName, this.#backendName);
    if (!config) throw new Error(`kernel ${kernelName} is not registered for backend ${this.#backendName}`);
    const out = config.kernelFunc({ inputs, backend: this.#backend, attrs });
    if (Array.isArray(out)) throw new Error(`kernel ${kernelName} returned several outputs; KernelCalls handles one`);
    this.#intermediates.push(out);
    return out;
  }

  /** Takes ownership of an output made outside `run` (e.g. filled in directly on the backend). */
  adopt(info: tf.TensorInfo): tf.TensorInfo {
    this.#intermediates.push(info);
    return info;
  }

  reshape(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    return this.run(tf.Reshape, { x }, { shape });
  }

  transpose(x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
    return this.run(tf.Transpose, { x }, { perm });
  }

  pad(x: tf.TensorInfo, paddings: Array<[number, number]>): tf.TensorInfo {
    return this.run(tf.PadV2, { x }, { paddings, constantValue: 0 });
  }

  slice(x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
    return this.run(tf.Slice, { x }, { begin, size });
  }

  /** NHWC forward convolution with explicit padding [[top, bottom], [left, right]]. */
  conv2d(
    x: tf.TensorInfo,
    filter: tf.TensorInfo,
    padding: [[number, number], [number, number]],
    dilations: [number, number] = [1, 1],
  ): tf.TensorInfo {
    const pad = [[0, 0], padding[0], padding[1], [0, 0]];
    return this.run(
      tf.Conv2D,
      { x, filter },
      { strides: [1, 1], pad, dataFormat: 'NHWC', dilations, dimRoundingMode: 'floor' },
    );
  }

  /** Frees every intermediate except `result` (which may itself be one) and returns `result`. */
  finish(result: tf.TensorInfo): tf.TensorInfo {
    this.#dispose(result);
    return result;
  }

  /** Frees every intermediate; for the error path. */
  abandon(): void {
    this.#dispose(undefined);
  }

  #dispose(keep: tf.TensorInfo | undefined): void {
    for (const info of this.#intermediates) if (info !== keep) this.#backend.disposeData(info.dataId);
    this.#intermediates.length = 0;
  }
}

/** Runs `compute` with a fresh KernelCalls, freeing its intermediates whatever happens. */
export function withKernelCalls(
  backendName: string,
  backend: tf.KernelBackend,
  compute: (k: KernelCalls) => tf.TensorInfo,
): tf.TensorInfo {
  const k = new KernelCalls(backendName, backend);
  try {
    return k.finish(compute(k));
  } catch (error) {
    k.abandon();
    throw error;
  }
}
