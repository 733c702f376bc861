import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-wasm';
import { KernelCalls, withKernelCalls } from './kernel-calls.js';
import { KernelOverrides, type KernelArgs } from './kernel-overrides.js';

/**
 * Convolution gradients for the tfjs 'wasm' backend written as forward convolutions, so XNNPACK's
 * Conv2D does the arithmetic. tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel at all and
 * a naive Conv2DBackpropInput (~3.5 GFLOPS against ~35 for forward Conv2D on this machine).
 *
 * Why kernels and not a custom gradient: tfjs-layers' Conv2D runs either the Conv2D kernel or
 * FusedConv2D (whose gradient is a customGrad inside tfjs-core); both, and Conv2DTranspose, reach
 * the two backprop kernels. Registering those kernels for 'wasm' speeds up every path and leaves
 * other backends untouched, where a replaced gradient function would be global.
 *
 * Shapes: x [N,H,W,Cin], W [kh,kw,Cin,Cout], dy [N,oH,oW,Cout], strides s, padding (top, left, ...)
 * from backend_util.computeConv2DInfo, so 'same', 'valid', explicit padding and every dimension
 * rounding mode agree with the forward kernel. NCHW arrives transposed to NHWC and back.
 *
 *   dW[a,b,ci,co] = Σ_{n,i,j} xpad[n, i·s+a, j·s+b, ci] · dy[n,i,j,co]
 *     = a convolution of x viewed as [Cin, H, W, N] (batch ci, channels n) with dy viewed as the
 *       filter [oH, oW, N, Cout], dilated by s, stride 1: output [Cin, kh, kw, Cout].
 *     1×1 kernels without padding are a plain GEMM (K = N·oH·oW): subsample x by the stride, then a 1×1 conv.
 *   dX = dy with s−1 zeros between elements, convolved (stride 1) with W rotated 180° and its
 *     channel axes swapped, over a window that restores x's frame.
 *     For 1×1 kernels the zero-interleaving commutes with the conv: convolve first (s² fewer
 *     multiplications), then interleave.
 */

const BACKEND = 'wasm';

interface ConvGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strideHeight: number;
  strideWidth: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
}

type PadAttr = tf.Conv2DBackpropFilterAttrs['pad'];

function geometry(
  xShapeNhwc: number[],
  filterShape: [number, number, number, number],
  strides: [number, number] | number,
  pad: PadAttr,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
): ConvGeometry {
  const info = tf.backend_util.computeConv2DInfo(
    xShapeNhwc as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    top: info.padInfo.top,
    bottom: info.padInfo.bottom,
    left: info.padInfo.left,
    right: info.padInfo.right,
  };
}

const isPointwise = (g: ConvGeometry) =>
  g.filterHeight === 1 && g.filterWidth === 1 && g.top === 0 && g.bottom === 0 && g.left === 0 && g.right === 0;

/** dW for NHWC x and dy; returns [kh, kw, Cin, Cout]. */
function filterGradient(k: KernelCalls, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo {
  if (isPointwise(g)) return pointwiseFilterGradient(k, x, dy, g);
  const xT = k.transpose(x, [3, 1, 2, 0]);
  const dyT = k.transpose(dy, [1, 2, 0, 3]);
  let dw = k.conv2d(
    xT,
    dyT,
    [
      [g.top, g.bottom],
      [g.left, g.right],
    ],
    [g.strideHeight, g.strideWidth],
  );
  // Rows of x that no output window reaches (stride leftovers) give extra output rows: drop them.
  if (dw.shape[1] !== g.filterHeight || dw.shape[2] !== g.filterWidth) {
    dw = k.slice(dw, [0, 0, 0, 0], [g.inChannels, g.filterHeight, g.filterWidth, g.outChannels]);
  }
  return k.transpose(dw, [1, 2, 0, 3]);
}

/**
 * dW = xsᵀ·dy with K = N·oH·oW as one 1×1 convolution. One operand has to be transposed to
 * channels-first; the one with fewer channels is cheaper to move.
 */
function pointwiseFilterGradient(k: KernelCalls, x: tf.TensorInfo, dy: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo {
  const xs = subsample(k, x, g);
  const depth = g.batch * g.outHeight * g.outWidth;
  const noPad: [[number, number], [number, number]] = [
    [0, 0],
    [0, 0],
  ];
  if (g.inChannels <= g.outChannels) {
    const xT = k.reshape(k.transpose(xs, [3, 0, 1, 2]), [g.inChannels, 1, 1, depth]);
    const dw = k.conv2d(xT, k.reshape(dy, [1, 1, depth, g.outChannels]), noPad);
    return k.reshape(dw, [1, 1, g.inChannels, g.outChannels]);
  }
  const dyT = k.reshape(k.transpose(dy, [3, 0, 1, 2]), [g.outChannels, 1, 1, depth]);
  const dwT = k.conv2d(dyT, k.reshape(xs, [1, 1, depth, g.inChannels]), noPad);
  return k.reshape(k.transpose(k.reshape(dwT, [g.outChannels, g.inChannels]), [1, 0]), [
    1,
    1,
    g.inChannels,
    g.outChannels,
  ]);
}

/** dX for NHWC dy; returns [N, H, W, Cin]. */
function inputGradient(
  k: KernelCalls,
  backend: BackendWasm,
  dy: tf.TensorInfo,
  filter: tf.TensorInfo,
  g: ConvGeometry,
): tf.TensorInfo {
  const flipped = inputGradientFilter(backend, filter);
  if (g.filterHeight === 1 && g.filterWidth === 1) {
    const z = k.conv2d(dy, flipped, [
      [0, 0],
      [0, 0],
    ]);
    // z[i] belongs at padded-x row i·s, i.e. x row i·s − top.
    return window(k, interleaveZeros(k, z, g.strideHeight, g.strideWidth), [g.top, g.inHeight], [g.left, g.inWidth]);
  }
  const spread = interleaveZeros(k, dy, g.strideHeight, g.strideWidth);
  // Full correlation: x row p collects spread rows p + top − (kh−1) … p + top.
  return convOverWindow(
    k,
    spread,
    flipped,
    [g.top - (g.filterHeight - 1), g.inHeight + g.filterHeight - 1],
    [g.left - (g.filterWidth - 1), g.inWidth + g.filterWidth - 1],
  );
}

/**
 * The dX filter (W turned 180°, input and output channels swapped) of each live filter tensor.
 * Gradient accumulation runs every micro-batch of a step with the same weights; deriving the filter
 * once per step instead of once per micro-batch also lets XNNPACK keep its packed copy of it (it
 * caches packed weights per filter tensor, and repacking ResNet50's 23 M weights takes ~0.25 s).
 * An entry is dropped on the first call after its source was freed (the weights changed).
 */
const flippedFilters = new Map<object, tf.TensorInfo>();

function inputGradientFilter(backend: BackendWasm, filter: tf.TensorInfo): tf.TensorInfo {
  for (const [source, flipped] of flippedFilters) {
    if (!backend.dataIdMap.has(source)) {
      backend.disposeData(flipped.dataId);
      flippedFilters.delete(source);
    }
  }
  let flipped = flippedFilters.get(filter.dataId);
  if (!flipped) {
    const pointwise = filter.shape[0] === 1 && filter.shape[1] === 1;
    flipped = withKernelCalls(BACKEND, backend, (k) =>
      k.transpose(pointwise ? filter : rotateTaps(k, backend, filter), [0, 1, 3, 2]),
    );
    flippedFilters.set(filter.dataId, flipped);
  }
  return flipped;
}

function releaseFlippedFilters(): void {
  const backend = tf.findBackend(BACKEND);
  if (backend) for (const flipped of flippedFilters.values()) backend.disposeData(flipped.dataId);
  flippedFilters.clear();
}

/**
 * x[:, ::sh, ::sw, :] limited to [N, oH, oW, C]. Viewed as [N·oH, sh, oW, sw·C] (after padding x to
 * a multiple of the stride), the wanted values are the contiguous first C of each sw·C run in
 * row 0 of each sh group: one Slice, which tfjs-wasm copies in blocks (its StridedSlice goes
 * element by element, ~10× slower).
 */
function subsample(k: KernelCalls, x: tf.TensorInfo, g: ConvGeometry): tf.TensorInfo {
  const { strideHeight: sh, strideWidth: sw, outHeight: oh, outWidth: ow, batch: n, inChannels: c } = g;
  if (sh === 1 && sw === 1) return x;
  const framed = window(k, x, [0, oh * sh], [0, ow * sw]);
  const picked = k.slice(k.reshape(framed, [n * oh, sh, ow, sw * c]), [0, 0, 0, 0], [n * oh, 1, ow, c]);
  return k.reshape(picked, [n, oh, ow, c]);
}

/**
 * The filter turned 180° in its spatial plane. Each tap's [Cin, Cout] block is contiguous, so this
 * copies whole blocks on the wasm heap, as tfjs-wasm's own Concat does. Its Reverse kernel goes
 * element by element and its Slice copies the whole input first: either costs 35–50 ms on a
 * 3×3×512×512 filter, against ~1 ms here.
 */
function rotateTaps(k: KernelCalls, backend: BackendWasm, filter: tf.TensorInfo): tf.TensorInfo {
  const [kh, kw, cin, cout] = filter.shape as [number, number, number, number];
  const block = cin * cout;
  const taps = kh * kw;
  const out = k.adopt(backend.makeOutput(filter.shape, 'float32'));
  // Views after makeOutput: growing the heap detaches earlier views.
  const source = backend.typedArrayFromHeap(filter);
  const target = backend.typedArrayFromHeap(out);
  for (let tap = 0; tap < taps; tap++) {
    const from = (taps - 1 - tap) * block;
    target.set(source.subarray(from, from + block), tap * block);
  }
  return out;
}

/** [N,H,W,C] → [N, H·sh, W·sw, C] with each value followed by zeros (sh−1 rows, sw−1 columns). */
function interleaveZeros(k: KernelCalls, t: tf.TensorInfo, sh: number, sw: number): tf.TensorInfo {
  if (sh === 1 && sw === 1) return t;
  const [n, h, w, c] = t.shape as [number, number, number, number];
  const spaced = k.pad(k.reshape(t, [n, h, 1, w, 1, c]), [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  return k.reshape(spaced, [n, h * sh, w * sw, c]);
}

/** Clamps a window [from, from+length) of an axis of `size` to the part inside it, and the zeros around. */
function clampWindow([from, length]: [number, number], size: number) {
  const begin = Math.max(from, 0);
  const end = Math.min(from + length, size);
  return { begin, size: end - begin, before: Math.max(-from, 0), after: Math.max(from + length - size, 0) };
}

/** Rows [from, from+length) and columns likewise of an NHWC tensor, zero where outside it. */
function window(k: KernelCalls, t: tf.TensorInfo, rows: [number, number], cols: [number, number]): tf.TensorInfo {
  const [n, h, w, c] = t.shape as [number, number, number, number];
  const r = clampWindow(rows, h);
  const q = clampWindow(cols, w);
  const inside = r.size === h && q.size === w ? t : k.slice(t, [0, r.begin, q.begin, 0], [n, r.size, q.size, c]);
  if (r.before + r.after + q.before + q.after === 0) return inside;
  return k.pad(inside, [
    [0, 0],
    [r.before, r.after],
    [q.before, q.after],
    [0, 0],
  ]);
}

/** A 'valid' stride-1 conv over a window of `t`; zeros outside `t` become the conv's own padding (no copy). */
function convOverWindow(
  k: KernelCalls,
  t: tf.TensorInfo,
  filter: tf.TensorInfo,
  rows: [number, number],
  cols: [number, number],
): tf.TensorInfo {
  const [n, h, w, c] = t.shape as [number, number, number, number];
  const r = clampWindow(rows, h);
  const q = clampWindow(cols, w);
  const inside = r.size === h && q.size === w ? t : k.slice(t, [0, r.begin, q.begin, 0], [n, r.size, q.size, c]);
  return k.conv2d(inside, filter, [
    [r.before, r.after],
    [q.before, q.after],
  ]);
}

const toNhwc = (k: KernelCalls, t: tf.TensorInfo) => k.transpose(t, [0, 2, 3, 1]);
const toNchw = (k: KernelCalls, t: tf.TensorInfo) => k.transpose(t, [0, 3, 1, 2]);
const nchwShapeToNhwc = ([n, c, h, w]: number[]) => [n!, h!, w!, c!];

function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, dy } = inputs as tf.Conv2DBackpropFilterInputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  return withKernelCalls(BACKEND, backend as tf.KernelBackend, (k) => {
    const nchw = dataFormat === 'NCHW';
    const xNhwc = nchw ? toNhwc(k, x!) : x!;
    const dyNhwc = nchw ? toNhwc(k, dy!) : dy!;
    const g = geometry(xNhwc.shape, filterShape, strides, pad, dimRoundingMode);
    return filterGradient(k, xNhwc, dyNhwc, g);
  });
}

function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { dy, filter } = inputs as tf.Conv2DBackpropInputInputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  return withKernelCalls(BACKEND, backend as tf.KernelBackend, (k) => {
    const nchw = dataFormat === 'NCHW';
    const shape = nchw ? nchwShapeToNhwc(inputShape) : inputShape;
    const g = geometry(shape, filter!.shape as [number, number, number, number], strides, pad, dimRoundingMode);
    const dx = inputGradient(k, backend as BackendWasm, nchw ? toNhwc(k, dy!) : dy!, filter!, g);
    return nchw ? toNchw(k, dx) : dx;
  });
}

const overrides = new KernelOverrides(BACKEND);

export interface InstallOptions {
  /** false keeps tfjs-wasm's own Conv2DBackpropInput (only to measure what the fast one gains). */
  inputGradient?: boolean;
}

/**
 * Registers the forward-conv gradient kernels for 'wasm' (idempotent). Kernels are looked up on
 * every call, so this works before or after tf.setBackend('wasm').
 */
export function installWasmConvGradients(options: InstallOptions = {}): void {
  if (overrides.active) return;
  overrides.override(tf.Conv2DBackpropFilter, conv2DBackpropFilter);
  if (options.inputGradient !== false) overrides.override(tf.Conv2DBackpropInput, conv2DBackpropInput);
}

/** Puts tfjs-backend-wasm's own kernels back (for benchmarks that compare the two). */
export function uninstallWasmConvGradients(): void {
  overrides.restore();
  releaseFlippedFilters();
}

export function wasmConvGradientsInstalled(): boolean {
  return overrides.active;
}
