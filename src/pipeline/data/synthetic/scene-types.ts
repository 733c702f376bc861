/**
 * A synthetic fundus as a resolution-independent description. Positions are in units of the field
 * of view radius with (0, 0) at its centre, u to the right and v down, already mirrored for the eye
 * and rotated: the renderer only maps them to pixels. Sampling a scene is cheap; rendering is not,
 * so metadata (grade, lesion counts) is known without drawing.
 */
import type { Grade } from '../../../shared/grades.js';
import type { Eye } from '../kaggle-loader.js';

export type { Eye };
export type Rgb = readonly [number, number, number];

export interface Spot {
  readonly u: number;
  readonly v: number;
  readonly radius: number;
}

/** A vessel as a polyline; `widths[i]` (full width) belongs to point i. */
export interface VesselPath {
  readonly kind: 'artery' | 'vein' | 'irma' | 'neovascular';
  readonly us: readonly number[];
  readonly vs: readonly number[];
  readonly widths: readonly number[];
}

export type Lesion =
  | { readonly kind: 'microaneurysm'; readonly spot: Spot; readonly colour: Rgb }
  /** A dot haemorrhage has one part; a blot is several overlapping parts. */
  | { readonly kind: 'haemorrhage'; readonly parts: readonly Spot[]; readonly colour: Rgb }
  | { readonly kind: 'hard-exudate'; readonly spot: Spot; readonly colour: Rgb }
  | { readonly kind: 'cotton-wool'; readonly spot: Spot; readonly aspect: number; readonly angle: number; readonly opacity: number }
  /** The pale fibrous veil that grows with new vessels. */
  | { readonly kind: 'fibrosis'; readonly spot: Spot; readonly opacity: number }
  /** Boat-shaped: flat top (the blood's fluid level, horizontal in the photo) and a rounded bottom. */
  | { readonly kind: 'preretinal-haemorrhage'; readonly u: number; readonly top: number; readonly halfWidth: number; readonly depth: number };

export interface LesionCounts {
  microaneurysms: number;
  haemorrhages: number;
  hardExudates: number;
  cottonWoolSpots: number;
  beadedVeins: number;
  irma: number;
  /** Sites of new vessels (at the disc or elsewhere). */
  neovascularization: number;
  preretinalHaemorrhages: number;
}

export interface Scene {
  readonly grade: Grade;
  readonly eye: Eye;
  /** Image height / width. */
  readonly aspect: number;
  /** FOV centre and radius as fractions of the image width (the radius may exceed half the height: clipped disc). */
  readonly fov: { readonly cx: number; readonly cy: number; readonly radius: number };
  readonly fundusColour: Rgb;
  readonly textureAmplitude: number;
  readonly textureScale: number;
  /** Brightness loss at the rim (0: flat) and a linear tilt of the illumination. */
  readonly falloff: number;
  readonly tilt: { readonly u: number; readonly v: number };
  readonly disc: Spot & { readonly aspect: number; readonly cupRatio: number; readonly colour: Rgb };
  readonly fovea: Spot & { readonly darkness: number };
  readonly vessels: readonly VesselPath[];
  /** Drawn under the vessels (deep retina). */
  readonly deepLesions: readonly Lesion[];
  /** Drawn over the vessels (nerve fibre layer and in front of the retina). */
  readonly surfaceLesions: readonly Lesion[];
  readonly counts: LesionCounts;
  readonly camera: {
    readonly exposure: number;
    readonly gamma: number;
    readonly cast: Rgb;
    /** Gaussian blur sigma in FOV-radius units (0: sharp). */
    readonly blur: number;
    /** Sensor noise standard deviation in 8-bit levels. */
    readonly noise: number;
    readonly jpegQuality: number;
    /** Bluish-grey veil towards the rim (reflections off a young retina, a small pupil), 0..1. */
    readonly haze: number;
    /**
     * The small square tab some fundus cameras leave on the edge of the field (EyePACS has many):
     * direction from the centre, half-width and how far it sticks out, in FOV-radius units.
     */
    readonly tab: { readonly angle: number; readonly halfWidth: number; readonly length: number } | null;
  };
  /** Seed for per-pixel randomness (texture, noise) at render time. */
  readonly pixelSeed: number;
}
