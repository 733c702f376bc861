import type { RgbImage } from '../../shared/pixels.js';

/**
 * The eight symmetries of the square (rotations by 90° and mirror images) on a square RGB image.
 * A fundus photo has no canonical orientation beyond left/right eye and camera habit, and these
 * transforms are exact (no resampling), so each can be precomputed once per photo.
 */
export const DIHEDRAL_VARIANTS = 8;

/** Variant `d` (0..7): bit 0 mirrors columns, bit 1 mirrors rows, bit 2 transposes first. 0 is the image itself. */
export function dihedral(image: RgbImage, d: number): RgbImage {
  if (!Number.isInteger(d) || d < 0 || d >= DIHEDRAL_VARIANTS)
    throw new RangeError(`dihedral variant must be 0..7, got ${d}`);
  const { width: n, height, data } = image;
  if (n !== height) throw new RangeError(`dihedral needs a square image, got ${n}×${height}`);
  if (d === 0) return image;
  const transpose = (d & 4) !== 0;
  const mirrorX = (d & 1) !== 0;
  const mirrorY = (d & 2) !== 0;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let sx = mirrorX ? n - 1 - x : x;
      let sy = mirrorY ? n - 1 - y : y;
      if (transpose) [sx, sy] = [sy, sx];
      const from = (sy * n + sx) * 3;
      const to = (y * n + x) * 3;
      out[to] = data[from]!;
      out[to + 1] = data[from + 1]!;
      out[to + 2] = data[from + 2]!;
    }
  }
  return { data: out, width: n, height: n };
}
