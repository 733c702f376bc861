import type { Rng } from '../random.js';

/**
 * Smooth value noise in [-1, 1] over a width x height image, random values on a lattice of
 * `cellPx`-pixel cells blended with a smoothstep: the blotchy choroidal background of a fundus.
 * Interpolation indices are precomputed per column and per row, so the per-pixel cost is a few
 * multiplies.
 */
export function valueNoise(rng: Rng, width: number, height: number, cellPx: number): Float32Array {
  const gw = Math.ceil(width / cellPx) + 2;
  const gh = Math.ceil(height / cellPx) + 2;
  const lattice = new Float32Array(gw * gh);
  for (let i = 0; i < lattice.length; i++) lattice[i] = rng.next() * 2 - 1;
  const axis = (n: number): { index: Int32Array; weight: Float32Array } => {
    const index = new Int32Array(n);
    const weight = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const f = (i + 0.5) / cellPx;
      const i0 = Math.floor(f);
      const t = f - i0;
      index[i] = i0;
      weight[i] = t * t * (3 - 2 * t);
    }
    return { index, weight };
  };
  const xs = axis(width);
  const ys = axis(height);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const row0 = ys.index[y]! * gw;
    const row1 = row0 + gw;
    const wy = ys.weight[y]!;
    for (let x = 0; x < width; x++) {
      const i = xs.index[x]!;
      const wx = xs.weight[x]!;
      const top = lattice[row0 + i]! + wx * (lattice[row0 + i + 1]! - lattice[row0 + i]!);
      const bottom = lattice[row1 + i]! + wx * (lattice[row1 + i + 1]! - lattice[row1 + i]!);
      out[y * width + x] = top + wy * (bottom - top);
    }
  }
  return out;
}
