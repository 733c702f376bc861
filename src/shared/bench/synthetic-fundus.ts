/**
 * Deterministic fundus-like test inputs for the benchmark: an orange-red disc on black with a vignette,
 * a bright optic disc, a darker macula, branching vessels and a few lesions. Not a realistic photo
 * (the pipeline's generator is that); just pictures that exercise a model like real input does, the same
 * bytes in a worker and in Node, so that every runtime is compared on identical pixels.
 */
import type { RgbImage } from '../pixels.js';

/** How many fixed inputs each configuration cycles through (outputs are compared on these). */
export const FIXED_INPUT_COUNT = 4;

/** Mulberry32: a tiny seeded generator; Math.random would make the inputs differ between runs. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Spot {
  x: number;
  y: number;
  r: number;
  /** RGB added inside the spot (negative darkens). */
  tint: readonly [number, number, number];
}

/** Vessels as chains of small dark discs, random-walking outwards from the optic disc. */
function vesselSpots(random: () => number, size: number, discX: number, discY: number, discR: number): Spot[] {
  const spots: Spot[] = [];
  for (let v = 0; v < 8; v++) {
    let angle = (v / 8) * 2 * Math.PI + random() * 0.5;
    let x = discX + Math.cos(angle) * discR * 0.6;
    let y = discY + Math.sin(angle) * discR * 0.6;
    let width = size * (0.008 + random() * 0.006);
    for (let step = 0; step < 60; step++) {
      angle += (random() - 0.5) * 0.25;
      x += Math.cos(angle) * size * 0.008;
      y += Math.sin(angle) * size * 0.008;
      spots.push({ x, y, r: width, tint: [-70, -45, -20] });
      width = Math.max(size * 0.004, width * 0.985);
    }
  }
  return spots;
}

/** Fixed input number `index` (any non-negative integer), `size`×`size` RGB. */
export function syntheticFundus(index: number, size: number): RgbImage {
  const random = seeded(0x5eed + index * 7919);
  const cx = size * (0.5 + (random() - 0.5) * 0.06);
  const cy = size * (0.5 + (random() - 0.5) * 0.06);
  const radius = size * (0.44 + random() * 0.04);
  const side = index % 2 === 0 ? 1 : -1; // left or right eye: optic disc on the other side
  const discX = cx + side * radius * 0.38;
  const discY = cy - radius * 0.05;
  const base = [190 + random() * 40, 70 + random() * 40, 25 + random() * 25] as const;
  const discR = radius * 0.13;
  const spots: Spot[] = [
    { x: discX, y: discY, r: discR, tint: [60, 110, 80] },
    ...vesselSpots(random, size, discX, discY, discR),
    { x: cx - side * radius * 0.05, y: cy, r: radius * 0.12, tint: [-45, -25, -10] },
  ];
  // More lesions for higher indices: the inputs should not all look like the same grade.
  for (let i = 0; i < index * 6; i++) {
    const a = random() * 2 * Math.PI;
    const d = random() * radius * 0.8;
    const exudate = random() < 0.5;
    spots.push({
      x: cx + Math.cos(a) * d,
      y: cy + Math.sin(a) * d,
      r: size * (0.004 + random() * 0.01),
      tint: exudate ? [50, 80, 10] : [-90, -60, -20],
    });
  }
  const inside = (x: number, y: number) => Math.hypot(x - cx, y - cy) <= radius;
  const rgb = new Float32Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (!inside(x, y)) continue;
      const d = Math.hypot(x - cx, y - cy) / radius;
      const vignette = 1 - 0.45 * d * d;
      for (let c = 0; c < 3; c++) rgb[(y * size + x) * 3 + c] = base[c]! * vignette;
    }
  }
  // Each spot touches only its bounding box, with a soft edge (full tint at its centre).
  for (const spot of spots) {
    for (let y = Math.max(0, Math.floor(spot.y - spot.r)); y <= Math.min(size - 1, Math.ceil(spot.y + spot.r)); y++) {
      for (let x = Math.max(0, Math.floor(spot.x - spot.r)); x <= Math.min(size - 1, Math.ceil(spot.x + spot.r)); x++) {
        const falloff = 1 - Math.hypot(x - spot.x, y - spot.y) / spot.r;
        if (falloff <= 0 || !inside(x, y)) continue;
        for (let c = 0; c < 3; c++) rgb[(y * size + x) * 3 + c]! += spot.tint[c]! * falloff;
      }
    }
  }
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (!inside(x, y)) continue;
      const noise = (random() - 0.5) * 12;
      const i = (y * size + x) * 3;
      for (let c = 0; c < 3; c++) data[i + c] = Math.max(0, Math.min(255, Math.round(rgb[i + c]! + noise)));
    }
  }
  return { data, width: size, height: size };
}

/** The inputs of one run: `batch` consecutive fixed inputs, starting where run `run` left off. */
export function runInputIndices(run: number, batch: number): number[] {
  return Array.from({ length: batch }, (_, j) => (run * batch + j) % FIXED_INPUT_COUNT);
}
