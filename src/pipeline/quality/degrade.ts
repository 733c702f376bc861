/**
 * Degraded copies of a fundus photo, each a fault that makes a photo ungradable, for calibrating and
 * checking the quality gate (src/shared/image-quality.ts). Every strength is relative to the photo's own
 * field of view or exposure, so a copy is equally bad whatever the camera:
 * blur (two strengths), under- and over-exposure, uneven illumination, half the field covered, a field
 * too small in the frame, heavy JPEG. The output is JPEG bytes (quality 92; the jpeg kind: quality 5).
 */
import sharp from 'sharp';
import type { FieldOfView } from '../../shared/fov.js';
import type { PixelImage } from '../../shared/pixels.js';

export const DEGRADATION_KINDS = [
  'blur',
  'blur-mild',
  'under-exposed',
  'over-exposed',
  'uneven-illumination',
  'half-covered',
  'small-field',
  'jpeg',
] as const;
export type DegradationKind = (typeof DEGRADATION_KINDS)[number];

/** Every parameter of the degradations, written into the calibration summary as they were used. */
export const DEGRADATION = {
  /** Gaussian σ as a fraction of the field-of-view diameter: ≈ 23 and 12 px on a 3,500 px IDRiD retina. */
  blurSigma: 1 / 150,
  blurMildSigma: 1 / 300,
  /**
   * Exposure: every pixel scaled by one gain, chosen so the retina's median luma (Rec. 601, after
   * clipping at 255) lands here.
   */
  underMedianLuma: 15,
  overMedianLuma: 225,
  /**
   * Uneven illumination, a shadow across the field: gain falls linearly from 1 at the lit edge of the
   * retina to unevenFloorGain at unevenReach of the way across, and stays there (direction turns with the index).
   */
  unevenFloorGain: 0.05,
  unevenReach: 0.75,
  /** Small field: the photo shrunk to this scale, centred on a black frame of the original size. */
  smallFieldScale: 0.4,
  /** Heavy JPEG quality; every other copy is saved at copyQuality. */
  jpegQuality: 5,
  copyQuality: 92,
} as const;

export const DEGRADATION_DESCRIPTIONS: Record<DegradationKind, string> = {
  blur: 'Gaussian blur, σ = 1/150 of the field-of-view diameter',
  'blur-mild': 'Gaussian blur, σ = 1/300 of the field-of-view diameter',
  'under-exposed': 'darkened (one gain) until the median luma of the retina is 15 of 255',
  'over-exposed': 'brightened (one gain, clipped at 255) until the median luma of the retina is 225 of 255',
  'uneven-illumination':
    'a shadow: gain falling linearly from 1 at one edge of the retina to 0.05 three quarters of the way across, 0.05 beyond (from the left, right, top or bottom by photo)',
  'half-covered': 'black over half the field of view (left, right, top or bottom half by photo)',
  'small-field': 'the photo shrunk to 40 % and centred on a black frame of the original size',
  jpeg: 'JPEG at quality 5',
};

export interface DegradeInput {
  /** The photo at its own resolution, upright, RGB. */
  readonly image: PixelImage;
  /** Its field of view (must be found). */
  readonly fov: FieldOfView;
  /** Which way the directional kinds point: index % 4 → left, right, top, bottom. */
  readonly index: number;
}

function rawSharp(image: PixelImage): sharp.Sharp {
  if (image.channels !== 3) throw new Error('degrade expects 3-channel RGB');
  return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), {
    raw: { width: image.width, height: image.height, channels: 3 },
  });
}

function jpeg(pipeline: sharp.Sharp, quality: number = DEGRADATION.copyQuality): Promise<Buffer> {
  return pipeline.jpeg({ quality }).toBuffer();
}

/**
 * A copy of the pixels, each scaled by a gain that varies along one axis only (or not at all): gain(t)
 * for t the pixel centre's x (axis 'x') or y (axis 'y'). Rounded and clipped to 0–255.
 */
function scalePixels(image: PixelImage, axis: 'x' | 'y', gain: (t: number) => number): PixelImage {
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  const table = new Uint8Array(256);
  const fill = (g: number) => {
    for (let v = 0; v < 256; v++) table[v] = Math.min(255, Math.round(v * g));
  };
  if (axis === 'y') {
    for (let y = 0; y < height; y++) {
      fill(gain(y + 0.5));
      for (let p = y * width * 3, end = p + width * 3; p < end; p++) out[p] = table[data[p]!]!;
    }
  } else {
    const gains = Array.from({ length: width }, (_, x) => gain(x + 0.5));
    const tables = new Map<number, Uint8Array>();
    const columnTables = gains.map((g) => {
      let t = tables.get(g);
      if (!t) {
        t = Uint8Array.from({ length: 256 }, (_, v) => Math.min(255, Math.round(v * g)));
        tables.set(g, t);
      }
      return t;
    });
    for (let y = 0; y < height; y++) {
      for (let x = 0, p = y * width * 3; x < width; x++, p += 3) {
        const t = columnTables[x]!;
        out[p] = t[data[p]!]!;
        out[p + 1] = t[data[p + 1]!]!;
        out[p + 2] = t[data[p + 2]!]!;
      }
    }
  }
  return { data: out, width, height, channels: 3 };
}

/** Unit vector of the direction for this index: left, right, top, bottom (the side that is kept / lit). */
function direction(index: number): readonly [number, number] {
  return (
    [
      [-1, 0],
      [1, 0],
      [0, -1],
      [0, 1],
    ] as const
  )[index % 4]!;
}

/** Rec. 601 luma of one pixel after scaling by `gain` and clipping each channel at 255. */
function scaledLuma(data: PixelImage['data'], p: number, gain: number): number {
  return (
    0.299 * Math.min(255, data[p]! * gain) +
    0.587 * Math.min(255, data[p + 1]! * gain) +
    0.114 * Math.min(255, data[p + 2]! * gain)
  );
}

/**
 * The one gain that puts the median luma of the retina (within 0.9 of its radius, about 20,000 pixels
 * sampled) at `target` once channels are clipped at 255: bisection, since the median only grows with the gain.
 */
export function gainForMedianLuma(image: PixelImage, fov: FieldOfView, target: number): number {
  const { data, width, height, channels } = image;
  const { cx, cy, radius } = fov.circle;
  const step = Math.max(1, Math.round(Math.sqrt((Math.PI * radius * radius) / 20_000)));
  const pixels: number[] = [];
  for (let y = 0; y < height; y += step) {
    for (let x = 0; x < width; x += step) {
      if (Math.hypot(x + 0.5 - cx, y + 0.5 - cy) <= 0.9 * radius) pixels.push((y * width + x) * channels);
    }
  }
  if (!pixels.length) return 1;
  const medianAt = (gain: number): number => {
    const lumas = Float64Array.from(pixels, (p) => scaledLuma(data, p, gain)).sort();
    return lumas[lumas.length >> 1]!;
  };
  let lo = 1 / 256;
  let hi = 256;
  for (let i = 0; i < 30; i++) {
    const mid = Math.sqrt(lo * hi);
    if (medianAt(mid) < target) lo = mid;
    else hi = mid;
  }
  return Math.sqrt(lo * hi);
}

/** One degraded copy as JPEG bytes. */
export async function degradePhoto(kind: DegradationKind, input: DegradeInput): Promise<Buffer> {
  const { image, fov } = input;
  if (!fov.found) throw new Error(`no field of view (${fov.verdict}) to degrade`);
  const diameter = 2 * fov.circle.radius;
  const { cx, cy, radius } = fov.circle;
  switch (kind) {
    case 'blur':
      return jpeg(rawSharp(image).blur(diameter * DEGRADATION.blurSigma));
    case 'blur-mild':
      return jpeg(rawSharp(image).blur(diameter * DEGRADATION.blurMildSigma));
    case 'under-exposed':
    case 'over-exposed': {
      const target = kind === 'under-exposed' ? DEGRADATION.underMedianLuma : DEGRADATION.overMedianLuma;
      const gain = gainForMedianLuma(image, fov, target);
      return jpeg(rawSharp(scalePixels(image, 'y', () => gain)));
    }
    case 'uneven-illumination': {
      const [dx, dy] = direction(input.index);
      const { unevenFloorGain: floor, unevenReach: reach } = DEGRADATION;
      // t = 0 on the lit edge of the retina, 1 at `reach` of the diameter from it.
      const centre = dx ? cx : cy;
      const sign = dx || dy;
      const gain = (u: number) =>
        1 - (1 - floor) * Math.min(1, Math.max(0, (radius - (u - centre) * sign) / (2 * radius * reach)));
      return jpeg(rawSharp(scalePixels(image, dx ? 'x' : 'y', gain)));
    }
    case 'half-covered': {
      const [dx, dy] = direction(input.index);
      // Keep the half the direction points to; black over the other half of the field.
      const centre = dx ? cx : cy;
      const sign = dx || dy;
      return jpeg(rawSharp(scalePixels(image, dx ? 'x' : 'y', (u) => ((u - centre) * sign > 0 ? 1 : 0))));
    }
    case 'small-field': {
      const { width, height } = image;
      const w = Math.max(1, Math.round(width * DEGRADATION.smallFieldScale));
      const h = Math.max(1, Math.round(height * DEGRADATION.smallFieldScale));
      const small = await rawSharp(image).resize(w, h, { fit: 'fill' }).raw().toBuffer();
      const left = Math.floor((width - w) / 2);
      const top = Math.floor((height - h) / 2);
      return jpeg(
        sharp(small, { raw: { width: w, height: h, channels: 3 } }).extend({
          left,
          right: width - w - left,
          top,
          bottom: height - h - top,
          background: { r: 0, g: 0, b: 0 },
        }),
      );
    }
    case 'jpeg':
      return jpeg(rawSharp(image), DEGRADATION.jpegQuality);
  }
}
