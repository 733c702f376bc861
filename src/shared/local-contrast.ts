import type { RgbImage } from './pixels.js';

/**
 * Graham's local-contrast normalisation for fundus photos (Kaggle DR 2015): subtract each pixel's
 * local average colour, amplify, re-centre on grey, and grey out the rim of the field of view.
 * Lesions (microaneurysms, haemorrhages, exudates) are small local deviations; the slow variations
 * of illumination, pigmentation and camera colour that differ between clinics are removed.
 *
 * out = clamp(GAIN · (x − blur(x)) + 128), with blur three passes of a box filter (a close
 * Gaussian approximation: σ ≈ side/30) and pixels beyond RIM × the field-of-view radius set to 128.
 * Only integer sums and one division per pixel, so every JavaScript engine computes the same bytes.
 * Input: the square crop around the field of view that preprocessFundus makes (the disc centred,
 * its diameter the side).
 */

export const LOCAL_CONTRAST_GAIN = 4;
/** Share of the field-of-view radius kept: the outermost ring is dark and blurred in most cameras. */
export const LOCAL_CONTRAST_RIM = 0.9;

/** Box half-width for three passes to approximate a Gaussian of σ = side / 30. */
export function boxRadiusFor(side: number): number {
  const sigma = side / 30;
  // Three box passes of width w = 2r + 1 have variance 3(w² − 1)/12 = σ².
  return Math.max(1, Math.round((Math.sqrt(4 * sigma * sigma + 1) - 1) / 2));
}

/** One horizontal box pass over interleaved RGB: sums over [x − r, x + r], clamped at the edges. */
function boxPassRows(
  src: Uint32Array,
  dst: Uint32Array,
  width: number,
  height: number,
  r: number,
  scale: Uint32Array,
): void {
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let k = -r; k <= r; k++) sum += src[row + Math.min(width - 1, Math.max(0, k)) * 3 + c]!;
      for (let x = 0; x < width; x++) {
        dst[row + x * 3 + c] = Math.floor(sum / scale[0]!);
        const leaving = Math.max(0, x - r);
        const entering = Math.min(width - 1, x + r + 1);
        sum += src[row + entering * 3 + c]! - src[row + leaving * 3 + c]!;
      }
    }
  }
}

function transpose(src: Uint32Array, dst: Uint32Array, width: number, height: number): void {
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * 3;
      const to = (x * height + y) * 3;
      dst[to] = src[from]!;
      dst[to + 1] = src[from + 1]!;
      dst[to + 2] = src[from + 2]!;
    }
  }
}

/** The local average colour: three box passes along rows and along columns (values 0..255). */
export function localAverage(image: RgbImage): Uint32Array {
  const { width, height, data } = image;
  const r = boxRadiusFor(Math.min(width, height));
  const scale = Uint32Array.of(2 * r + 1);
  let a = Uint32Array.from(data);
  let b = new Uint32Array(a.length);
  for (let pass = 0; pass < 3; pass++) {
    boxPassRows(a, b, width, height, r, scale);
    [a, b] = [b, a];
  }
  transpose(a, b, width, height);
  [a, b] = [b, a];
  for (let pass = 0; pass < 3; pass++) {
    boxPassRows(a, b, height, width, r, scale);
    [a, b] = [b, a];
  }
  transpose(a, b, height, width);
  return b;
}

export function localContrastNormalise(image: RgbImage): RgbImage {
  const { width, height, data } = image;
  const average = localAverage(image);
  const out = new Uint8Array(data.length);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const radius = (LOCAL_CONTRAST_RIM * Math.min(width, height)) / 2;
  const radiusSquared = radius * radius;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= radiusSquared;
      for (let c = 0; c < 3; c++) {
        const v = inside ? LOCAL_CONTRAST_GAIN * (data[i + c]! - average[i + c]!) + 128 : 128;
        out[i + c] = v < 0 ? 0 : v > 255 ? 255 : v;
      }
    }
  }
  return { data: out, width, height };
}
