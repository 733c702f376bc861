/**
 * Sample a whole synthetic fundus (anatomy, vessels, lesions for the grade, camera nuisances) from
 * one seed. Everything is laid out for a right eye, then mirrored for a left eye and rotated as a
 * whole, the way a camera sees a real eye.
 */
import type { Grade } from '../../../shared/grades.js';
import { Rng } from '../random.js';
import {
  cottonWoolSpot,
  emptyCounts,
  exudateCluster,
  haemorrhage,
  microaneurysm,
  planLesions,
  preretinalHaemorrhage,
  retinaPoint,
  type Anatomy,
} from './lesions.js';
import type { Eye, Lesion, Rgb, Scene, Spot } from './scene-types.js';
import { beadVein, growTangle, growVesselTree, type MutablePath } from './vessels.js';

export interface SceneRequest {
  readonly seed: number;
  readonly grade: Grade;
  readonly eye: Eye;
}

const DEG = Math.PI / 180;

/** Photo shapes seen in EyePACS: 3:2 and 4:3 frames clip the disc at top and bottom; square ones mostly do not. */
function sampleLayout(rng: Rng): { aspect: number; fov: Scene['fov'] } {
  const shape = rng.weighted([0.5, 0.2, 0.3]);
  const aspect = [2 / 3, 3 / 4, 1][shape]!;
  const radius = shape === 2 ? rng.uniform(0.4, 0.49) : rng.uniform(0.31, 0.46);
  return { aspect, fov: { cx: 0.5 + rng.normal(0, 0.01), cy: aspect / 2 + rng.normal(0, 0.01), radius } };
}

/** A point on a main vessel (where cotton-wool spots and new vessels elsewhere tend to be). */
function pointOnVessel(rng: Rng, vessels: readonly MutablePath[], maxRho: number): { u: number; v: number } {
  const big = vessels.filter((p) => (p.kind === 'vein' || p.kind === 'artery') && p.widths[0]! >= 0.01);
  for (let attempt = 0; attempt < 50; attempt++) {
    const path = rng.pick(big);
    const i = rng.int(0, path.us.length - 1);
    const u = path.us[i]!;
    const v = path.vs[i]!;
    const rho = Math.hypot(u, v);
    if (rho < maxRho && rho > 0.15) return { u, v };
  }
  return { u: rng.uniform(-0.4, 0.4), v: rng.uniform(-0.4, 0.4) };
}

function addLesions(rng: Rng, grade: Grade, anatomy: Anatomy, vessels: MutablePath[]): { deep: Lesion[]; surface: Lesion[]; counts: Scene['counts'] } {
  const plan = planLesions(rng, grade);
  const counts = emptyCounts();
  const deep: Lesion[] = [];
  const surface: Lesion[] = [];
  for (let i = 0; i < plan.microaneurysms; i++) deep.push(microaneurysm(rng, anatomy));
  counts.microaneurysms = plan.microaneurysms;
  for (let i = 0; i < plan.haemorrhages; i++) {
    const quadrant = i < plan.haemorrhagesPerQuadrant * 4 ? i % 4 : undefined;
    deep.push(haemorrhage(rng, anatomy, quadrant));
  }
  counts.haemorrhages = plan.haemorrhages;
  for (let i = 0; i < plan.exudateClusters; i++) {
    const dots = exudateCluster(rng, anatomy);
    deep.push(...dots);
    counts.hardExudates += dots.length;
  }
  for (let i = 0; i < plan.cottonWoolSpots; i++) surface.push(cottonWoolSpot(rng, pointOnVessel(rng, vessels, 0.7)));
  counts.cottonWoolSpots = plan.cottonWoolSpots;

  const veins = vessels.filter((p) => p.kind === 'vein' && p.widths[0]! >= 0.012 && p.us.length > 30);
  rng.shuffle(veins);
  for (const vein of veins.slice(0, plan.beadedVeins)) beadVein(rng, vein);
  counts.beadedVeins = Math.min(plan.beadedVeins, veins.length);

  for (let i = 0; i < plan.irma; i++) {
    const centre = retinaPoint(rng, anatomy, 0.25, 0.75);
    vessels.push(...growTangle(rng, { kind: 'irma', centre, radius: rng.uniform(0.04, 0.07), strands: rng.int(2, 4), width: 0.006, curl: 0.15 }));
  }
  counts.irma = plan.irma;

  const sites: { u: number; v: number; radius: number }[] = [];
  for (let i = 0; i < plan.newVesselsAtDisc; i++) {
    const a = rng.uniform(0, 2 * Math.PI);
    const d = anatomy.disc.radius * rng.uniform(0, 0.8);
    sites.push({ u: anatomy.disc.u + d * Math.cos(a), v: anatomy.disc.v + d * Math.sin(a), radius: rng.uniform(0.09, 0.13) });
  }
  for (let i = 0; i < plan.newVesselsElsewhere; i++) sites.push({ ...pointOnVessel(rng, vessels, 0.75), radius: rng.uniform(0.07, 0.11) });
  for (const site of sites) {
    surface.push({ kind: 'fibrosis', spot: { u: site.u, v: site.v, radius: site.radius * 0.8 }, opacity: rng.uniform(0.15, 0.35) });
    vessels.push(...growTangle(rng, { kind: 'neovascular', centre: site, radius: site.radius, strands: rng.int(10, 18), width: rng.uniform(0.006, 0.008), curl: 0.45 }));
  }
  counts.neovascularization = sites.length;

  for (let i = 0; i < plan.preretinalHaemorrhages; i++) surface.push(preretinalHaemorrhage(rng, pointOnVessel(rng, vessels, 0.6)));
  counts.preretinalHaemorrhages = plan.preretinalHaemorrhages;
  return { deep, surface, counts };
}

/** Mirror (left eye) then rotate about the FOV centre. */
function makeTransform(mirror: boolean, angle: number): { point: (u: number, v: number) => [number, number]; angle: (a: number) => number } {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return {
    point: (u, v) => {
      const m = mirror ? -u : u;
      return [c * m - s * v, s * m + c * v];
    },
    angle: (a) => (mirror ? Math.PI - a : a) + angle,
  };
}

function transformLesion(lesion: Lesion, t: ReturnType<typeof makeTransform>): Lesion {
  const spot = (p: Spot): Spot => {
    const [u, v] = t.point(p.u, p.v);
    return { u, v, radius: p.radius };
  };
  switch (lesion.kind) {
    case 'haemorrhage':
      return { ...lesion, parts: lesion.parts.map(spot) };
    case 'cotton-wool':
      return { ...lesion, spot: spot(lesion.spot), angle: t.angle(lesion.angle) };
    case 'preretinal-haemorrhage': {
      // Blood settles under gravity: the fluid level stays horizontal in the photo, only the position turns.
      const [u, top] = t.point(lesion.u, lesion.top);
      return { ...lesion, u, top };
    }
    default:
      return { ...lesion, spot: spot(lesion.spot) };
  }
}

function jitterColour(rng: Rng, base: Rgb, spread: number): Rgb {
  return [base[0] * rng.uniform(1 - spread, 1 + spread), base[1] * rng.uniform(1 - spread, 1 + spread), base[2] * rng.uniform(1 - spread, 1 + spread)];
}

export function sampleScene(request: SceneRequest): Scene {
  const rng = new Rng(request.seed);
  const layout = sampleLayout(rng);
  const pigment = rng.next();
  const fundusColour: Rgb = jitterColour(rng, [215 - 55 * pigment, 100 - 35 * pigment, 50 - 22 * pigment], 0.06);

  const discRadius = rng.uniform(0.1, 0.13);
  const disc = { u: rng.uniform(0.47, 0.57), v: rng.normal(-0.02, 0.03), radius: discRadius };
  const fovea = { u: disc.u - rng.uniform(0.6, 0.7), v: disc.v + rng.uniform(0.03, 0.08) };
  const anatomy: Anatomy = { disc, fovea };

  const vessels = growVesselTree(rng, anatomy);
  const { deep, surface, counts } = addLesions(rng, request.grade, anatomy, vessels);

  const transform = makeTransform(request.eye === 'left', Math.max(-15, Math.min(15, rng.normal(0, 7))) * DEG);
  const [discU, discV] = transform.point(disc.u, disc.v);
  const [foveaU, foveaV] = transform.point(fovea.u, fovea.v);
  const movedVessels = vessels.map((p) => {
    const us: number[] = [];
    const vs: number[] = [];
    for (let i = 0; i < p.us.length; i++) {
      const [u, v] = transform.point(p.us[i]!, p.vs[i]!);
      us.push(u);
      vs.push(v);
    }
    return { kind: p.kind, us, vs, widths: p.widths };
  });

  return {
    grade: request.grade,
    eye: request.eye,
    aspect: layout.aspect,
    fov: layout.fov,
    fundusColour,
    textureAmplitude: rng.uniform(0.04, 0.1),
    textureScale: rng.uniform(5, 10),
    falloff: rng.uniform(0.3, 0.65),
    tilt: { u: rng.normal(0, 0.1), v: rng.normal(0, 0.1) },
    disc: {
      u: discU,
      v: discV,
      radius: discRadius,
      aspect: rng.uniform(1.05, 1.2),
      cupRatio: rng.uniform(0.25, 0.5),
      colour: jitterColour(rng, [246, 196, 140], 0.05),
    },
    fovea: { u: foveaU, v: foveaV, radius: rng.uniform(0.14, 0.2), darkness: rng.uniform(0.15, 0.3) },
    vessels: movedVessels,
    deepLesions: deep.map((l) => transformLesion(l, transform)),
    surfaceLesions: surface.map((l) => transformLesion(l, transform)),
    counts,
    camera: {
      exposure: rng.uniform(0.65, 1.25),
      gamma: rng.uniform(0.85, 1.15),
      cast: [rng.uniform(0.9, 1.08), rng.uniform(0.85, 1.12), rng.uniform(0.75, 1.3)],
      blur: rng.chance(0.4) ? rng.uniform(0.001, 0.0045) : 0,
      noise: rng.uniform(0, 5),
      jpegQuality: rng.int(72, 95),
      haze: rng.chance(0.35) ? rng.uniform(0.1, 0.45) : 0,
      tab: rng.chance(0.5) ? { angle: rng.normal(-0.5, 0.15), halfWidth: rng.uniform(0.015, 0.03), length: rng.uniform(0.02, 0.04) } : null,
    },
    pixelSeed: Math.floor(rng.next() * 4294967296),
  };
}
