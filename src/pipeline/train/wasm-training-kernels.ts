import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-wasm';
import { KernelOverrides, type KernelArgs } from './kernel-overrides.js';

/**
 * Kernels besides the convolution gradients that make training on the 'wasm' backend affordable.
 *
 * Identity: tfjs-wasm copies the input, and the engine clones (Identity) every tensor it saves for
 * the backward pass, so each saved activation existed twice: ~45 % of the heap on a ResNet50
 * training pass, which caps the micro-batch. Here the output shares the input's buffer, refcounted,
 * as tfjs-wasm's own Reshape and the cpu backend's Identity do; safe because tensor data is never
 * written after creation (a variable's assign points it at new data).
 *
 * Sum and Mean over the leading axes (all but channels), and Tile of a [1,1,1,C] vector to
 * [N,H,W,C]: the per-channel statistics of tf.moments and tfjs-core's BatchNorm gradient. tfjs-wasm
 * transposes a tensor to put the reduced axes innermost before summing, and tiles element by
 * element; on a ResNet50 training pass those took ~40 % of the time. Here they are single passes over
 * the wasm heap (sums in double precision). Other cases go to tfjs-wasm's own kernels.
 */

const BACKEND = 'wasm';

/** k when `axes` are exactly the leading axes 0..k−1 of a rank-`rank` tensor (0 < k < rank), else null. */
function leadingAxes(axis: number | number[], shape: number[]): number | null {
  const axes = [...tf.util.parseAxisParam(axis, shape)].sort((a, b) => a - b);
  const k = axes.length;
  return k > 0 && k < shape.length && axes.every((a, i) => a === i) ? k : null;
}

function reduceLeading({ inputs, backend, attrs }: KernelArgs, mean: boolean): tf.TensorInfo | null {
  const x = inputs['x']!;
  const { axis, keepDims } = attrs as unknown as tf.SumAttrs;
  const k = x.dtype === 'float32' ? leadingAxes(axis, x.shape) : null;
  if (k === null) return null;
  const rows = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
  const kept = x.shape.slice(k);
  const width = kept.reduce((a, b) => a * b, 1);
  const wasm = backend as BackendWasm;
  const out = wasm.makeOutput(keepDims ? [...new Array<number>(k).fill(1), ...kept] : kept, 'float32');
  // Views after makeOutput: growing the heap detaches earlier views.
  const source = wasm.typedArrayFromHeap(x);
  const target = wasm.typedArrayFromHeap(out);
  const sums = new Float64Array(width);
  for (let r = 0, offset = 0; r < rows; r++, offset += width) {
    for (let c = 0; c < width; c++) sums[c]! += source[offset + c]!;
  }
  const scale = mean ? 1 / rows : 1;
  for (let c = 0; c < width; c++) target[c] = sums[c]! * scale;
  return out;
}

/** Tile where the output is the whole input repeated (tiled axes all lead, and have size 1 in x). */
function tileRepeat({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo | null {
  const x = inputs['x']!;
  const { reps } = attrs as unknown as tf.TileAttrs;
  const lastTiled = reps.reduce((last, r, i) => (r > 1 ? i : last), -1);
  const plain = x.dtype === 'float32' && reps.every((r) => r >= 1) && !x.shape.includes(0);
  if (!plain || lastTiled < 0 || x.shape.slice(0, lastTiled + 1).some((d) => d !== 1)) return null;
  const wasm = backend as BackendWasm;
  const out = wasm.makeOutput(
    x.shape.map((d, i) => d * reps[i]!),
    'float32',
  );
  const target = wasm.typedArrayFromHeap(out);
  const block = wasm.typedArrayFromHeap(x);
  target.set(block);
  // Doubling copies: log2(repeats) block moves.
  for (let filled = block.length; filled < target.length; filled *= 2)
    target.copyWithin(filled, 0, Math.min(filled, target.length - filled));
  return out;
}

function sharedIdentity({ inputs, backend }: KernelArgs): tf.TensorInfo | null {
  const x = inputs['x']!;
  if (x.dtype === 'string') return null;
  (backend as BackendWasm).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

const overrides = new KernelOverrides(BACKEND);

export function installWasmTrainingKernels(): void {
  overrides.override(tf.Identity, sharedIdentity);
  overrides.override(tf.Sum, (args) => reduceLeading(args, false));
  overrides.override(tf.Mean, (args) => reduceLeading(args, true));
  overrides.override(tf.Tile, tileRepeat);
}

export function uninstallWasmTrainingKernels(): void {
  overrides.restore();
}
