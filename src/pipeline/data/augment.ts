/**
 * Training-time augmentation of a preprocessed square RGB image: each epoch sees a differently
 * flipped, rotated and lit copy, instead of duplicating files (which once leaked copies into
 * validation). Every transform keeps the black surround black, so the model cannot learn a cue
 * from it. Deterministic for a seed.
 */
import type { RgbImage } from '../../shared/pixels.js';
import { Rng } from './random.js';

export interface AugmentOptions {
  /** Random horizontal and vertical flips (default true). */
  readonly flips?: boolean;
  /** Largest rotation either way, degrees (default 180: any angle, fundus photos have no "up"). */
  readonly maxRotationDegrees?: number;
  /** Brightness gain drawn from 1 ± this (default 0.15). */
  readonly brightness?: number;
  /** Contrast as a gamma curve exp(±this) (default 0.15). */
  readonly contrast?: number;
}

export interface AugmentParams {
  readonly flipX: boolean;
  readonly flipY: boolean;
  readonly rotationRadians: number;
  readonly gain: number;
  readonly gamma: number;
}

export const IDENTITY: AugmentParams = { flipX: false, flipY: false, rotationRadians: 0, gain: 1, gamma: 1 };

export function sampleAugmentation(seed: number, options: AugmentOptions = {}): AugmentParams {
  const rng = new Rng(seed);
  const flips = options.flips ?? true;
  const maxRotation = ((options.maxRotationDegrees ?? 180) * Math.PI) / 180;
  const brightness = options.brightness ?? 0.15;
  const contrast = options.contrast ?? 0.15;
  return {
    flipX: flips && rng.chance(0.5),
    flipY: flips && rng.chance(0.5),
    rotationRadians: rng.uniform(-maxRotation, maxRotation),
    gain: rng.uniform(1 - brightness, 1 + brightness),
    gamma: Math.exp(rng.uniform(-contrast, contrast)),
  };
}

/**
 * Flip, then rotate about the centre (bilinear, black outside), then map every value through
 * 255 * gain * (v/255)^gamma. Output has the input's size.
 */
export function applyAugmentation(image: RgbImage, params: AugmentParams): RgbImage {
  const { width, height, data } = image;
  const lut = new Uint8Array(256);
  for (let v = 0; v < 256; v++) lut[v] = Math.min(255, Math.round(255 * params.gain * (v / 255) ** params.gamma));
  const out = new Uint8Array(data.length);
  const cos = Math.cos(params.rotationRadians);
  const sin = Math.sin(params.rotationRadians);
  const cx = width / 2;
  const cy = height / 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // Inverse map: un-rotate the output position, then un-flip it.
      const dx = x + 0.5 - cx;
      const dy = y + 0.5 - cy;
      let sx = cos * dx + sin * dy;
      let sy = -sin * dx + cos * dy;
      if (params.flipX) sx = -sx;
      if (params.flipY) sy = -sy;
      const fx = sx + cx - 0.5;
      const fy = sy + cy - 0.5;
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const tx = fx - x0;
      const ty = fy - y0;
      const o = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        const at = (xi: number, yi: number): number => (xi < 0 || yi < 0 || xi >= width || yi >= height ? 0 : data[(yi * width + xi) * 3 + c]!);
        const top = at(x0, y0) + tx * (at(x0 + 1, y0) - at(x0, y0));
        const bottom = at(x0, y0 + 1) + tx * (at(x0 + 1, y0 + 1) - at(x0, y0 + 1));
        out[o + c] = lut[Math.round(top + ty * (bottom - top))]!;
      }
    }
  }
  return { data: out, width, height };
}

export function augment(image: RgbImage, seed: number, options?: AugmentOptions): RgbImage {
  return applyAugmentation(image, sampleAugmentation(seed, options));
}
