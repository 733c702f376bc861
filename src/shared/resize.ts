import type { PixelImage, RgbImage } from './pixels.js';
import { assertPixelImage } from './pixels.js';

/** A rectangle in source pixel coordinates (pixel i covers [i, i+1)); it may reach outside the image. */
export interface Region {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * For one axis: which source pixels feed each output pixel, and how much.
 * Taps for output j are source indices start[j] .. start[j]+count[j]-1 with weights
 * weights[offset[j] ..]. Source pixels outside the image are dropped without renormalising,
 * which is exactly "the image is padded with black".
 */
interface AxisTaps {
  readonly start: Int32Array;
  readonly count: Int32Array;
  readonly offset: Int32Array;
  readonly weights: Float64Array;
}

/**
 * Area averaging when shrinking (each output pixel is the exact mean of the source area it covers,
 * so a 4752 px photo cannot alias) and bilinear interpolation when enlarging (a box filter would
 * turn into blocky nearest-neighbour there).
 */
function axisTaps(origin: number, extent: number, outSize: number, sourceSize: number): AxisTaps {
  const scale = extent / outSize;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const offset = new Int32Array(outSize);
  const all: number[] = [];
  for (let j = 0; j < outSize; j++) {
    offset[j] = all.length;
    let first: number;
    let taps: number[];
    if (scale >= 1) {
      const a = origin + j * scale;
      const b = origin + (j + 1) * scale;
      first = Math.floor(a);
      const last = Math.ceil(b) - 1;
      taps = [];
      for (let i = first; i <= last; i++) taps.push((Math.min(b, i + 1) - Math.max(a, i)) / scale);
    } else {
      const centre = origin + (j + 0.5) * scale - 0.5;
      first = Math.floor(centre);
      const frac = centre - first;
      taps = [1 - frac, frac];
    }
    // Drop taps that fall outside the source (black padding) and keep the rest contiguous.
    let skip = 0;
    while (skip < taps.length && first + skip < 0) skip++;
    let keep = taps.length;
    while (keep > skip && first + keep - 1 >= sourceSize) keep--;
    start[j] = first + skip;
    count[j] = keep - skip;
    for (let t = skip; t < keep; t++) all.push(taps[t]!);
  }
  return { start, count, offset, weights: Float64Array.from(all) };
}

/**
 * Resample `region` of `source` to outWidth x outHeight RGB. Separable: a horizontal pass over the
 * source rows the region touches, then a vertical pass. Only +, * and / on doubles in a fixed order,
 * so every IEEE-754 engine (Node, Chromium, a Web Worker) returns identical bytes for identical input.
 */
export function resampleRegion(source: PixelImage, region: Region, outWidth: number, outHeight: number): RgbImage {
  assertPixelImage(source);
  if (!(outWidth > 0 && outHeight > 0 && Number.isInteger(outWidth) && Number.isInteger(outHeight))) {
    throw new RangeError(`output size must be positive integers, got ${outWidth}x${outHeight}`);
  }
  if (!(region.width > 0 && region.height > 0)) throw new RangeError('region must have a positive size');
  const { data, width, height, channels } = source;
  const xs = axisTaps(region.x, region.width, outWidth, width);
  const ys = axisTaps(region.y, region.height, outHeight, height);

  // Source rows any output row reads; everything else is never touched.
  let rowFirst = height;
  let rowEnd = 0;
  for (let j = 0; j < outHeight; j++) {
    if (ys.count[j]! === 0) continue;
    rowFirst = Math.min(rowFirst, ys.start[j]!);
    rowEnd = Math.max(rowEnd, ys.start[j]! + ys.count[j]!);
  }
  const out = new Uint8Array(outWidth * outHeight * 3);
  if (rowEnd <= rowFirst) return { data: out, width: outWidth, height: outHeight };

  const rowStride = outWidth * 3;
  const rows = new Float64Array((rowEnd - rowFirst) * rowStride);
  for (let r = rowFirst; r < rowEnd; r++) {
    const srcRow = r * width * channels;
    let o = (r - rowFirst) * rowStride;
    for (let j = 0; j < outWidth; j++) {
      const n = xs.count[j]!;
      const wBase = xs.offset[j]!;
      let p = srcRow + xs.start[j]! * channels;
      let red = 0;
      let green = 0;
      let blue = 0;
      for (let t = 0; t < n; t++) {
        const w = xs.weights[wBase + t]!;
        red += w * data[p]!;
        green += w * data[p + 1]!;
        blue += w * data[p + 2]!;
        p += channels;
      }
      rows[o] = red;
      rows[o + 1] = green;
      rows[o + 2] = blue;
      o += 3;
    }
  }

  const acc = new Float64Array(rowStride);
  for (let j = 0; j < outHeight; j++) {
    acc.fill(0);
    const n = ys.count[j]!;
    const wBase = ys.offset[j]!;
    for (let t = 0; t < n; t++) {
      const w = ys.weights[wBase + t]!;
      const rowBase = (ys.start[j]! + t - rowFirst) * rowStride;
      for (let k = 0; k < rowStride; k++) acc[k] = acc[k]! + w * rows[rowBase + k]!;
    }
    const outBase = j * rowStride;
    for (let k = 0; k < rowStride; k++) {
      const v = acc[k]! + 0.5;
      out[outBase + k] = v >= 255 ? 255 : v | 0;
    }
  }
  return { data: out, width: outWidth, height: outHeight };
}

/** Whole image scaled so its longer side is `maxSide` (never enlarged): thumbnails for lists and reports. */
export function thumbnail(source: PixelImage, maxSide: number): RgbImage {
  const scale = Math.min(1, maxSide / Math.max(source.width, source.height));
  const width = Math.max(1, Math.round(source.width * scale));
  const height = Math.max(1, Math.round(source.height * scale));
  return resampleRegion(source, { x: 0, y: 0, width: source.width, height: source.height }, width, height);
}
