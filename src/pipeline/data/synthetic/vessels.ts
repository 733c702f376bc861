/**
 * Vessel trees grown as steered random walks in the canonical right-eye layout (disc on the right,
 * macula to its left). Temporal trunks follow an ellipse around the fovea, which is what makes the
 * arcades; nasal trunks and side branches keep roughly their initial heading.
 */
import type { Rng } from '../random.js';
import type { VesselPath } from './scene-types.js';

export interface MutablePath {
  kind: VesselPath['kind'];
  us: number[];
  vs: number[];
  widths: number[];
}

type Steering = { readonly mode: 'arcade'; readonly superior: boolean } | { readonly mode: 'straight'; readonly heading: number };

interface TreeContext {
  readonly rng: Rng;
  readonly fovea: { readonly u: number; readonly v: number };
  readonly paths: MutablePath[];
}

const STEP = 0.015;
const MIN_WIDTH = 0.004;
/** Vessels stop short of the foveal avascular zone. */
const AVASCULAR_RADIUS = 0.08;
const TAPER = 0.996;
const MAX_DEPTH = 3;
const DEG = Math.PI / 180;

function wrapAngle(a: number): number {
  while (a > Math.PI) a -= 2 * Math.PI;
  while (a < -Math.PI) a += 2 * Math.PI;
  return a;
}

function desiredHeading(steer: Steering, u: number, v: number, fovea: TreeContext['fovea']): number {
  if (steer.mode === 'straight') return steer.heading;
  // Tangent of a flattened ellipse around the fovea, with a small outward component so the arcade
  // spirals away from the macula instead of closing a circle.
  const px = u - fovea.u;
  const py = (v - fovea.v) * 1.5;
  const norm = Math.hypot(px, py) || 1;
  const tx = steer.superior ? py : -py;
  const ty = steer.superior ? -px : px;
  return Math.atan2(ty / norm + (0.1 * py) / norm, tx / norm + (0.1 * px) / norm);
}

function grow(
  ctx: TreeContext,
  kind: 'artery' | 'vein',
  start: { u: number; v: number },
  heading: number,
  width: number,
  steer: Steering,
  maxLength: number,
  depth: number,
): void {
  const { rng } = ctx;
  const path: MutablePath = { kind, us: [start.u], vs: [start.v], widths: [width] };
  ctx.paths.push(path);
  let u = start.u;
  let v = start.v;
  let w = width;
  const branchChance = depth === 0 ? 0.12 : 0.07;
  for (let travelled = 0; travelled < maxLength && w >= MIN_WIDTH; travelled += STEP) {
    const target = desiredHeading(steer, u, v, ctx.fovea);
    heading += 0.12 * wrapAngle(target - heading) + rng.normal(0, 0.07);
    u += STEP * Math.cos(heading);
    v += STEP * Math.sin(heading);
    w *= TAPER;
    path.us.push(u);
    path.vs.push(v);
    path.widths.push(w);
    if (Math.hypot(u, v) > 1.02 || Math.hypot(u - ctx.fovea.u, v - ctx.fovea.v) < AVASCULAR_RADIUS) break;
    if (depth < MAX_DEPTH && travelled > 0.06 && rng.chance(branchChance)) {
      const childWidth = w * rng.uniform(0.5, 0.75);
      if (childWidth >= MIN_WIDTH) {
        const childHeading = heading + (rng.chance(0.5) ? 1 : -1) * rng.uniform(25, 65) * DEG;
        const childLength = Math.min(1.2, rng.uniform(0.15, 0.5) * (childWidth / 0.008));
        grow(ctx, kind, { u, v }, childHeading, childWidth, { mode: 'straight', heading: childHeading }, childLength, depth + 1);
        w *= 0.93;
      }
    }
  }
}

export interface TreeAnatomy {
  readonly disc: { readonly u: number; readonly v: number; readonly radius: number };
  readonly fovea: { readonly u: number; readonly v: number };
}

/** Arteries (thinner) and veins (thicker) leaving the disc in four trunks each, plus small papillomacular vessels. */
export function growVesselTree(rng: Rng, anatomy: TreeAnatomy): MutablePath[] {
  const ctx: TreeContext = { rng, fovea: anatomy.fovea, paths: [] };
  const { disc } = anatomy;
  const kinds = [
    { kind: 'vein', width: rng.uniform(0.02, 0.025), offset: 8 },
    { kind: 'artery', width: rng.uniform(0.015, 0.018), offset: -8 },
  ] as const;
  for (const { kind, width, offset } of kinds) {
    const at = (dv: number): { u: number; v: number } => ({ u: disc.u + rng.normal(0, 0.01), v: disc.v + dv * disc.radius * 0.3 });
    const wobble = (): number => rng.normal(0, 6) * DEG;
    grow(ctx, kind, at(-1), (-95 + offset) * DEG + wobble(), width, { mode: 'arcade', superior: true }, 2.2, 0);
    grow(ctx, kind, at(1), (95 - offset) * DEG + wobble(), width, { mode: 'arcade', superior: false }, 2.2, 0);
    const nasalUp = (-40 + offset) * DEG + wobble();
    const nasalDown = (40 - offset) * DEG + wobble();
    grow(ctx, kind, at(-0.5), nasalUp, width * 0.75, { mode: 'straight', heading: nasalUp }, 1.0, 1);
    grow(ctx, kind, at(0.5), nasalDown, width * 0.75, { mode: 'straight', heading: nasalDown }, 1.0, 1);
    for (let i = rng.int(1, 2); i > 0; i--) {
      const heading = (180 + rng.normal(0, 12)) * DEG;
      grow(ctx, kind, at(rng.uniform(-0.5, 0.5)), heading, rng.uniform(0.006, 0.008), { mode: 'straight', heading }, 0.45, MAX_DEPTH);
    }
  }
  return ctx.paths;
}

/**
 * Venous beading: a stretch of a vein whose calibre swells and narrows like a string of sausages.
 * The stretch is resampled finer than the bead period so the rasteriser sees every bead.
 */
export function beadVein(rng: Rng, path: MutablePath): void {
  const n = path.us.length;
  const span = Math.min(n - 2, rng.int(14, 26));
  const first = rng.int(2, Math.max(2, n - span - 1));
  const period = rng.uniform(0.03, 0.045);
  const amplitude = rng.uniform(0.6, 0.9);
  const us: number[] = [];
  const vs: number[] = [];
  const widths: number[] = [];
  for (let i = 0; i < n; i++) {
    const inStretch = i >= first && i < first + span && i + 1 < n;
    const parts = inStretch ? 5 : 1;
    for (let k = 0; k < parts; k++) {
      const t = k / parts;
      const u = path.us[i]! + (inStretch ? t * (path.us[i + 1]! - path.us[i]!) : 0);
      const v = path.vs[i]! + (inStretch ? t * (path.vs[i + 1]! - path.vs[i]!) : 0);
      const base = path.widths[i]! + (inStretch ? t * (path.widths[i + 1]! - path.widths[i]!) : 0);
      const s = (i - first + t) * STEP;
      const bead = inStretch ? 1 + amplitude * Math.sin((Math.PI * s) / period) ** 2 : 1;
      us.push(u);
      vs.push(v);
      widths.push(base * bead);
    }
  }
  path.us = us;
  path.vs = vs;
  path.widths = widths;
}

export interface TangleOptions {
  readonly kind: 'irma' | 'neovascular';
  readonly centre: { readonly u: number; readonly v: number };
  readonly radius: number;
  readonly strands: number;
  readonly width: number;
  /** Radians per step the strand keeps turning by: high makes loops (new vessels), low makes wiggles (IRMA). */
  readonly curl: number;
}

/** Fine tortuous strands kept within `radius` of a centre: IRMA and new vessels. */
export function growTangle(rng: Rng, options: TangleOptions): MutablePath[] {
  const { centre, radius, curl } = options;
  const step = radius / 12;
  const paths: MutablePath[] = [];
  for (let s = 0; s < options.strands; s++) {
    const angle = rng.uniform(0, 2 * Math.PI);
    const dist = radius * Math.sqrt(rng.next()) * 0.7;
    let u = centre.u + dist * Math.cos(angle);
    let v = centre.v + dist * Math.sin(angle);
    let heading = rng.uniform(-Math.PI, Math.PI);
    let turn = (rng.chance(0.5) ? 1 : -1) * curl * rng.uniform(0.6, 1.2);
    const width = options.width * rng.uniform(0.8, 1.2);
    const path: MutablePath = { kind: options.kind, us: [u], vs: [v], widths: [width] };
    for (let i = rng.int(12, 24); i > 0; i--) {
      if (rng.chance(0.08)) turn = -turn;
      const back = Math.atan2(centre.v - v, centre.u - u);
      const outside = Math.hypot(u - centre.u, v - centre.v) > radius;
      heading += outside ? 0.5 * wrapAngle(back - heading) : turn + rng.normal(0, 0.35);
      u += step * Math.cos(heading);
      v += step * Math.sin(heading);
      path.us.push(u);
      path.vs.push(v);
      path.widths.push(width);
    }
    paths.push(path);
  }
  return paths;
}
