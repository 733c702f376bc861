/**
 * Which lesions each ICDR grade draws and where. Ranges overlap a little between neighbouring
 * grades (as graders' images do) but every grade adds a lesion type the previous one lacks:
 * 1 microaneurysms only; 2 haemorrhages, hard exudates, cotton-wool spots; 3 many haemorrhages in
 * all four quadrants, venous beading, IRMA; 4 new vessels and/or pre-retinal haemorrhage.
 */
import type { Grade } from '../../../shared/grades.js';
import type { Rng } from '../random.js';
import type { Lesion, LesionCounts, Rgb, Spot } from './scene-types.js';

export interface LesionPlan {
  readonly microaneurysms: number;
  readonly haemorrhages: number;
  /** Haemorrhages placed one per quadrant in turn before the rest go anywhere. */
  readonly haemorrhagesPerQuadrant: number;
  readonly exudateClusters: number;
  readonly cottonWoolSpots: number;
  readonly beadedVeins: number;
  readonly irma: number;
  readonly newVesselsAtDisc: number;
  readonly newVesselsElsewhere: number;
  readonly preretinalHaemorrhages: number;
}

const NONE: LesionPlan = {
  microaneurysms: 0,
  haemorrhages: 0,
  haemorrhagesPerQuadrant: 0,
  exudateClusters: 0,
  cottonWoolSpots: 0,
  beadedVeins: 0,
  irma: 0,
  newVesselsAtDisc: 0,
  newVesselsElsewhere: 0,
  preretinalHaemorrhages: 0,
};

export function planLesions(rng: Rng, grade: Grade): LesionPlan {
  switch (grade) {
    case 0:
      return NONE;
    case 1:
      return { ...NONE, microaneurysms: rng.int(2, 7) };
    case 2:
      return {
        ...NONE,
        microaneurysms: rng.int(4, 14),
        haemorrhages: rng.int(2, 9),
        exudateClusters: rng.chance(0.7) ? rng.int(1, 3) : 0,
        cottonWoolSpots: rng.chance(0.5) ? rng.int(1, 3) : 0,
      };
    case 3:
      return {
        ...NONE,
        microaneurysms: rng.int(8, 24),
        haemorrhages: rng.int(16, 34),
        haemorrhagesPerQuadrant: 4,
        exudateClusters: rng.int(1, 4),
        cottonWoolSpots: rng.int(1, 5),
        beadedVeins: rng.chance(0.7) ? rng.int(1, 3) : 0,
        irma: rng.int(2, 5),
      };
    case 4: {
      const sites = rng.int(1, 3);
      const atDisc = rng.chance(0.6) ? rng.int(1, sites) : 0;
      return {
        ...NONE,
        microaneurysms: rng.int(5, 24),
        haemorrhages: rng.int(6, 30),
        exudateClusters: rng.int(0, 4),
        cottonWoolSpots: rng.int(0, 4),
        beadedVeins: rng.chance(0.5) ? rng.int(1, 2) : 0,
        irma: rng.int(0, 4),
        newVesselsAtDisc: atDisc,
        newVesselsElsewhere: sites - atDisc,
        preretinalHaemorrhages: rng.chance(0.45) ? 1 : 0,
      };
    }
  }
}

export interface Anatomy {
  readonly disc: Spot;
  readonly fovea: { readonly u: number; readonly v: number };
}

/** A random point of the visible retina, away from the optic disc (lesions there would hide in its glare). */
export function retinaPoint(rng: Rng, anatomy: Anatomy, minRho: number, maxRho: number, quadrant?: number): { u: number; v: number } {
  for (;;) {
    const angle = quadrant === undefined ? rng.uniform(0, 2 * Math.PI) : (quadrant + rng.next()) * (Math.PI / 2);
    const rho = Math.sqrt(rng.uniform(minRho * minRho, maxRho * maxRho));
    const u = rho * Math.cos(angle);
    const v = rho * Math.sin(angle);
    if (Math.hypot(u - anatomy.disc.u, v - anatomy.disc.v) > anatomy.disc.radius * 1.5) return { u, v };
  }
}

function jitter(rng: Rng, colour: Rgb, spread: number): Rgb {
  const k = rng.uniform(1 - spread, 1 + spread);
  return [colour[0] * k, colour[1] * k, colour[2] * k];
}

const MICROANEURYSM: Rgb = [135, 24, 22];
const HAEMORRHAGE: Rgb = [122, 18, 16];
const EXUDATE: Rgb = [246, 226, 112];

/**
 * Sizes are in FOV-radius units: at the 300 px model input the radius is 150 px, so a
 * microaneurysm (radius 0.008-0.014) is 2.5-4 px across and a dot haemorrhage 4-8 px.
 */
export function microaneurysm(rng: Rng, anatomy: Anatomy): Lesion {
  const p = retinaPoint(rng, anatomy, 0, 0.8);
  return { kind: 'microaneurysm', spot: { ...p, radius: rng.uniform(0.008, 0.014) }, colour: jitter(rng, MICROANEURYSM, 0.1) };
}

export function haemorrhage(rng: Rng, anatomy: Anatomy, quadrant?: number): Lesion {
  const centre = retinaPoint(rng, anatomy, 0.12, 0.85, quadrant);
  const shape = rng.weighted([0.45, 0.35, 0.2]);
  const parts: Spot[] = [];
  if (shape === 0) {
    parts.push({ ...centre, radius: rng.uniform(0.014, 0.026) });
  } else if (shape === 1) {
    // Blot: a few overlapping round parts.
    for (let i = rng.int(2, 4); i > 0; i--) {
      const r = rng.uniform(0.015, 0.032);
      parts.push({ u: centre.u + rng.normal(0, r * 0.6), v: centre.v + rng.normal(0, r * 0.6), radius: r });
    }
  } else {
    // Flame: tapering along the nerve fibres, which run roughly radially from the disc.
    const along = Math.atan2(centre.v - anatomy.disc.v, centre.u - anatomy.disc.u) + rng.normal(0, 0.3);
    const n = rng.int(4, 6);
    const length = rng.uniform(0.06, 0.1);
    for (let i = 0; i < n; i++) {
      const t = i / (n - 1) - 0.5;
      parts.push({ u: centre.u + t * length * Math.cos(along), v: centre.v + t * length * Math.sin(along), radius: rng.uniform(0.012, 0.018) * (1 - 0.4 * (t + 0.5)) });
    }
  }
  return { kind: 'haemorrhage', parts, colour: jitter(rng, HAEMORRHAGE, 0.12) };
}

/** A cluster of hard exudates, usually around the macula, sometimes as a ring (circinate). */
export function exudateCluster(rng: Rng, anatomy: Anatomy): Lesion[] {
  const nearMacula = rng.chance(0.7);
  const centre = nearMacula
    ? (() => {
        const a = rng.uniform(0, 2 * Math.PI);
        const d = rng.uniform(0.12, 0.4);
        return { u: anatomy.fovea.u + d * Math.cos(a), v: anatomy.fovea.v + d * Math.sin(a) };
      })()
    : retinaPoint(rng, anatomy, 0.15, 0.8);
  const ring = rng.chance(0.4);
  const ringRadius = rng.uniform(0.04, 0.08);
  const colour = jitter(rng, EXUDATE, 0.06);
  const dots: Lesion[] = [];
  for (let i = rng.int(5, 16); i > 0; i--) {
    const a = rng.uniform(0, 2 * Math.PI);
    const d = ring ? ringRadius + rng.normal(0, 0.008) : Math.abs(rng.normal(0, 0.035));
    dots.push({
      kind: 'hard-exudate',
      spot: { u: centre.u + d * Math.cos(a), v: centre.v + d * Math.sin(a), radius: rng.uniform(0.006, 0.014) },
      colour,
    });
  }
  return dots;
}

/** Cotton-wool spots sit in the nerve fibre layer beside the big vessels near the disc. */
export function cottonWoolSpot(rng: Rng, near: { u: number; v: number }): Lesion {
  const a = rng.uniform(0, 2 * Math.PI);
  const d = rng.uniform(0.02, 0.05);
  return {
    kind: 'cotton-wool',
    spot: { u: near.u + d * Math.cos(a), v: near.v + d * Math.sin(a), radius: rng.uniform(0.03, 0.055) },
    aspect: rng.uniform(0.5, 0.85),
    angle: rng.uniform(0, Math.PI),
    opacity: rng.uniform(0.6, 0.85),
  };
}

export function preretinalHaemorrhage(rng: Rng, near: { u: number; v: number }): Lesion {
  return {
    kind: 'preretinal-haemorrhage',
    u: near.u + rng.normal(0, 0.04),
    top: near.v + rng.normal(0, 0.04),
    halfWidth: rng.uniform(0.09, 0.16),
    depth: rng.uniform(0.07, 0.13),
  };
}

export function emptyCounts(): LesionCounts {
  return { microaneurysms: 0, haemorrhages: 0, hardExudates: 0, cottonWoolSpots: 0, beadedVeins: 0, irma: 0, neovascularization: 0, preretinalHaemorrhages: 0 };
}
