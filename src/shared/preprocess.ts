/**
 * The one preprocessing both model variants, training and the browser worker share:
 * decoded pixels -> field of view -> square crop (side = FOV diameter, black where the disc is
 * clipped) -> INPUT_SIZE x INPUT_SIZE RGB uint8 -> the tensor layout each runtime wants.
 * Pure TypeScript without DOM or Node APIs, so a Web Worker and Node run the same code and get the
 * same bytes for the same decoded pixels (only +, -, *, / and rounding on doubles; see resize.ts).
 */
import { IMAGENET_MEAN, IMAGENET_STD, INPUT_SIZE } from './model-contract.js';
import type { FieldOfView } from './fov.js';
import { detectFieldOfView } from './fov.js';
import type { PixelImage, RgbImage } from './pixels.js';
import { resampleRegion } from './resize.js';

export type { FieldOfView, FovVerdict } from './fov.js';
export type { PixelImage, RgbImage } from './pixels.js';
export { detectFieldOfView } from './fov.js';
export { thumbnail } from './resize.js';

export interface Preprocessed {
  /** size x size x 3 RGB, row-major (HWC), 0..255. */
  readonly rgb: RgbImage;
  /** Check `fov.found` before trusting a grade: when false the crop is the centred fallback square. */
  readonly fov: FieldOfView;
}

/**
 * Detect the field of view, crop the square around it and resize to `size` (INPUT_SIZE by default).
 * `fov`: the field of view detectFieldOfView already found in this very image, not searched again.
 */
export function preprocessFundus(
  image: PixelImage,
  size: number = INPUT_SIZE,
  fov: FieldOfView = detectFieldOfView(image),
): Preprocessed {
  return { rgb: resampleRegion(image, fov.box, size, size), fov };
}

/**
 * The TF.js variant's input: NHWC float32 holding the same 0..255 values in the same order
 * (normalisation is a layer inside that graph). Writes at `offset` into `out` when given, so a batch
 * [N, H, W, 3] can be filled image by image; returns the array written.
 */
export function toNhwcFloat32(rgb: RgbImage, out?: Float32Array, offset = 0): Float32Array {
  const src = rgb.data;
  const target = out ?? new Float32Array(src.length);
  if (offset < 0 || offset + src.length > target.length)
    throw new RangeError('output array too small for this image at this offset');
  for (let i = 0; i < src.length; i++) target[offset + i] = src[i]!;
  return target;
}

/**
 * The ONNX variant's input: planar NCHW float32 [3, H, W] (R plane, then G, then B) with
 * value (v/255 - IMAGENET_MEAN[c]) / IMAGENET_STD[c]. Same `out`/`offset` batching as toNhwcFloat32
 * (offset of image n is n * 3 * H * W).
 */
export function toNchwImagenet(rgb: RgbImage, out?: Float32Array, offset = 0): Float32Array {
  const { data, width, height } = rgb;
  const plane = width * height;
  const target = out ?? new Float32Array(plane * 3);
  if (offset < 0 || offset + plane * 3 > target.length)
    throw new RangeError('output array too small for this image at this offset');
  for (let c = 0; c < 3; c++) {
    // One lookup table per channel: the same float for the same byte, wherever it runs.
    const table = new Float32Array(256);
    for (let v = 0; v < 256; v++) table[v] = (v / 255 - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!;
    const base = offset + c * plane;
    for (let i = 0; i < plane; i++) target[base + i] = table[data[i * 3 + c]!]!;
  }
  return target;
}
