/**
 * Rasterise a Scene into 8-bit RGB. Layers, back to front, on an "albedo" canvas: choroidal
 * background with texture, macula, optic disc, deep lesions (microaneurysms, haemorrhages,
 * exudates), vessels, nerve-fibre-layer lesions (cotton-wool, fibrosis), new vessels, pre-retinal
 * blood. Then the camera: radial illumination fall-off, exposure, colour cast, gamma, rim haze,
 * sensor noise and the black surround of the field of view (with the odd camera tab). Blur and
 * JPEG happen at encoding (encode.ts).
 */
import type { RgbImage } from '../../../shared/pixels.js';
import { Rng } from '../random.js';
import { compositeMask, createCanvas, fillBoat, fillCircles, fillEllipse, strokePath, type Canvas, type Circle } from './raster.js';
import type { Lesion, Rgb, Scene, Spot, VesselPath } from './scene-types.js';
import { valueNoise } from './texture.js';

interface Mapping {
  readonly cx: number;
  readonly cy: number;
  /** FOV radius in pixels. */
  readonly r: number;
}

function tint(base: Rgb, factors: Rgb): Rgb {
  return [base[0] * factors[0], base[1] * factors[1], base[2] * factors[2]];
}

function paintBackground(canvas: Canvas, scene: Scene, map: Mapping, rng: Rng): void {
  const { width, height, data } = canvas;
  const coarse = valueNoise(rng, width, height, map.r / scene.textureScale);
  const fine = valueNoise(rng, width, height, map.r / (scene.textureScale * 3.5));
  const [r, g, b] = scene.fundusColour;
  const amp = scene.textureAmplitude;
  for (let k = 0; k < width * height; k++) {
    const t = 1 + amp * (0.7 * coarse[k]! + 0.3 * fine[k]!);
    data[k * 3] = r * t;
    data[k * 3 + 1] = g * t;
    data[k * 3 + 2] = b * t;
  }
}

/** The macula is darker and browner (more pigment), with a darker pit at the fovea. */
function paintMacula(canvas: Canvas, scene: Scene, map: Mapping): void {
  const { width, height, data } = canvas;
  const fx = map.cx + scene.fovea.u * map.r;
  const fy = map.cy + scene.fovea.v * map.r;
  const sigma = scene.fovea.radius * map.r;
  const pit = 0.025 * map.r;
  const reach = 3 * sigma;
  for (let y = Math.max(0, Math.floor(fy - reach)); y < Math.min(height, Math.ceil(fy + reach)); y++) {
    for (let x = Math.max(0, Math.floor(fx - reach)); x < Math.min(width, Math.ceil(fx + reach)); x++) {
      const d2 = (x + 0.5 - fx) ** 2 + (y + 0.5 - fy) ** 2;
      const shade = scene.fovea.darkness * Math.exp(-d2 / (2 * sigma * sigma)) + 0.12 * Math.exp(-d2 / (2 * pit * pit));
      const p = (y * width + x) * 3;
      data[p] = data[p]! * (1 - 0.7 * shade);
      data[p + 1] = data[p + 1]! * (1 - shade);
      data[p + 2] = data[p + 2]! * (1 - shade);
    }
  }
}

function paintDisc(canvas: Canvas, scene: Scene, map: Mapping): void {
  const { disc, fovea } = scene;
  const x = map.cx + disc.u * map.r;
  const y = map.cy + disc.v * map.r;
  const rx = disc.radius * map.r;
  const ry = rx * disc.aspect;
  const halo = tint(scene.fundusColour, [1.12, 1.2, 1.2]);
  fillEllipse(canvas, { x, y, rx, ry, angle: 0 }, halo, (q) => (q < 1 ? 0.35 : 0.35 * (1 - (q - 1) / 0.4)), 1.4);
  const edge = 0.12;
  fillEllipse(canvas, { x, y, rx, ry, angle: 0 }, disc.colour, (q) => 0.95 * Math.min(1, Math.max(0, (1 - q) / edge + 0.5)), 1 + edge);
  // The cup sits slightly towards the macula.
  const toFovea = Math.atan2(fovea.v - disc.v, fovea.u - disc.u);
  const shift = 0.15 * rx;
  fillEllipse(
    canvas,
    { x: x + shift * Math.cos(toFovea), y: y + shift * Math.sin(toFovea), rx: rx * disc.cupRatio, ry: ry * disc.cupRatio, angle: 0 },
    [252, 232, 200],
    (q) => 0.7 * Math.min(1, Math.max(0, (1 - q) / 0.35 + 0.5)),
    1.2,
  );
}

function circlesOf(spots: readonly Spot[], map: Mapping): Circle[] {
  return spots.map((s) => ({ x: map.cx + s.u * map.r, y: map.cy + s.v * map.r, r: s.radius * map.r }));
}

function paintDeepLesion(canvas: Canvas, lesion: Lesion, map: Mapping): void {
  switch (lesion.kind) {
    case 'microaneurysm':
      fillCircles(canvas, circlesOf([lesion.spot], map), lesion.colour, 0.95, 0.8);
      break;
    case 'haemorrhage':
      fillCircles(canvas, circlesOf(lesion.parts, map), lesion.colour, 0.92, 1.2);
      break;
    case 'hard-exudate':
      fillCircles(canvas, circlesOf([lesion.spot], map), lesion.colour, 0.95, 0.7);
      break;
    default:
      throw new Error(`${lesion.kind} is not a deep lesion`);
  }
}

function paintSurfaceLesion(canvas: Canvas, lesion: Lesion, map: Mapping): void {
  switch (lesion.kind) {
    case 'cotton-wool': {
      const { spot, opacity } = lesion;
      const e = { x: map.cx + spot.u * map.r, y: map.cy + spot.v * map.r, rx: spot.radius * map.r, ry: spot.radius * lesion.aspect * map.r, angle: lesion.angle };
      fillEllipse(canvas, e, [242, 232, 214], (q) => {
        const s = 1 - q * q;
        return opacity * s * Math.sqrt(s);
      });
      break;
    }
    case 'fibrosis': {
      const { spot, opacity } = lesion;
      const r = spot.radius * map.r;
      fillEllipse(canvas, { x: map.cx + spot.u * map.r, y: map.cy + spot.v * map.r, rx: r, ry: r, angle: 0 }, [232, 222, 206], (q) => opacity * (1 - q * q));
      break;
    }
    case 'preretinal-haemorrhage':
      fillBoat(canvas, map.cx + lesion.u * map.r, map.cy + lesion.top * map.r, lesion.halfWidth * map.r, lesion.depth * map.r, [100, 10, 10], 0.95);
      break;
    default:
      throw new Error(`${lesion.kind} is not a surface lesion`);
  }
}

/** Thin vessels show less contrast than the big trunks (partial volume and thinner blood column). */
function vesselStrength(path: VesselPath): number {
  if (path.kind === 'irma') return 0.8;
  if (path.kind === 'neovascular') return 0.85;
  return Math.min(1, 0.5 + 0.5 * (path.widths[0]! / 0.02));
}

function vesselMask(canvas: Canvas, paths: readonly VesselPath[], map: Mapping): Float32Array {
  const mask = new Float32Array(canvas.width * canvas.height);
  for (const path of paths) {
    strokePath(
      mask,
      canvas.width,
      canvas.height,
      path.us.map((u) => map.cx + u * map.r),
      path.vs.map((v) => map.cy + v * map.r),
      path.widths.map((w) => w * map.r),
      vesselStrength(path),
    );
  }
  return mask;
}

const HAZE: Rgb = [150, 172, 182];
/** Where (in FOV radii) the rim haze starts. */
const HAZE_START = 0.5;

/** Camera response: illumination, exposure, cast, gamma (via a lookup table), haze, noise and the black surround. */
function develop(canvas: Canvas, scene: Scene, map: Mapping, rng: Rng): Uint8Array {
  const { width, height, data } = canvas;
  const { exposure, gamma, cast, noise, haze, tab } = scene.camera;
  const lutScale = 4;
  const lut = new Float32Array(255 * lutScale + 1);
  for (let i = 0; i < lut.length; i++) lut[i] = 255 * (i / (lut.length - 1)) ** gamma;
  const noiseTable = new Float32Array(1024);
  for (let i = 0; i < noiseTable.length; i++) noiseTable[i] = rng.normal(0, noise);
  // Inline xorshift32; three 10-bit slices of each draw pick the noise of R, G and B (this loop is the hot one).
  let state = (rng.next() * 4294967296) | 1;
  const gainR = exposure * cast[0] * lutScale;
  const gainG = exposure * cast[1] * lutScale;
  const gainB = exposure * cast[2] * lutScale;
  const top = 255 * lutScale;
  const { falloff } = scene;
  const tiltU = scene.tilt.u / map.r;
  const tiltV = scene.tilt.v / map.r;
  const inv = 1 / map.r;
  const tabCos = Math.cos(tab?.angle ?? 0);
  const tabSin = Math.sin(tab?.angle ?? 0);
  const tabReach = map.r * (1 + (tab?.length ?? 0));
  const tabHalf = map.r * (tab?.halfWidth ?? 0);
  const out = new Uint8Array(width * height * 3);
  const toByte = (v: number): number => (v <= 0 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0);
  for (let y = 0; y < height; y++) {
    const dy = y + 0.5 - map.cy;
    for (let x = 0, p = y * width * 3; x < width; x++, p += 3) {
      const dx = x + 0.5 - map.cx;
      const d = Math.sqrt(dx * dx + dy * dy);
      let cover = map.r - d + 0.5;
      if (cover < 1 && tab) {
        const along = dx * tabCos + dy * tabSin;
        const across = -dx * tabSin + dy * tabCos;
        if (along > 0 && along < tabReach && across < tabHalf && across > -tabHalf) cover = 1;
      }
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      const n0 = noiseTable[state & 1023]!;
      const n1 = noiseTable[(state >>> 10) & 1023]!;
      const n2 = noiseTable[(state >>> 20) & 1023]!;
      if (cover <= 0) {
        out[p] = toByte(3 + 0.5 * n0);
        out[p + 1] = toByte(3 + 0.5 * n1);
        out[p + 2] = toByte(3 + 0.5 * n2);
        continue;
      }
      if (cover > 1) cover = 1;
      const rho = d * inv;
      let light = (1 - falloff * rho * rho * rho) * (1 + tiltU * dx + tiltV * dy);
      if (light < 0.2) light = 0.2;
      const r = Math.min(top, Math.max(0, data[p]! * light * gainR));
      const g = Math.min(top, Math.max(0, data[p + 1]! * light * gainG));
      const b = Math.min(top, Math.max(0, data[p + 2]! * light * gainB));
      const veil = rho > HAZE_START ? haze * ((rho - HAZE_START) / (1 - HAZE_START)) ** 2 : 0;
      const keep = cover * (1 - veil);
      const surround = 3 * (1 - cover);
      out[p] = toByte(lut[(r + 0.5) | 0]! * keep + HAZE[0] * veil * cover + surround + n0);
      out[p + 1] = toByte(lut[(g + 0.5) | 0]! * keep + HAZE[1] * veil * cover + surround + n1);
      out[p + 2] = toByte(lut[(b + 0.5) | 0]! * keep + HAZE[2] * veil * cover + surround + n2);
    }
  }
  return out;
}

export function renderScene(scene: Scene, width: number): RgbImage {
  const height = Math.round(width * scene.aspect);
  const map: Mapping = { cx: scene.fov.cx * width, cy: scene.fov.cy * width, r: scene.fov.radius * width };
  const rng = new Rng(scene.pixelSeed);
  const canvas = createCanvas(width, height);
  paintBackground(canvas, scene, map, rng);
  paintMacula(canvas, scene, map);
  paintDisc(canvas, scene, map);
  for (const lesion of scene.deepLesions) paintDeepLesion(canvas, lesion, map);

  const base = scene.fundusColour;
  const ofKind = (kind: VesselPath['kind']): VesselPath[] => scene.vessels.filter((p) => p.kind === kind);
  compositeMask(canvas, vesselMask(canvas, ofKind('vein'), map), tint(base, [0.66, 0.36, 0.46]));
  compositeMask(canvas, vesselMask(canvas, ofKind('artery'), map), tint(base, [0.86, 0.55, 0.58]));
  const irma = ofKind('irma');
  if (irma.length) compositeMask(canvas, vesselMask(canvas, irma, map), tint(base, [0.68, 0.3, 0.4]));

  const blood = scene.surfaceLesions.filter((l) => l.kind === 'preretinal-haemorrhage');
  for (const lesion of scene.surfaceLesions) if (lesion.kind !== 'preretinal-haemorrhage') paintSurfaceLesion(canvas, lesion, map);
  const neo = ofKind('neovascular');
  if (neo.length) compositeMask(canvas, vesselMask(canvas, neo, map), tint(base, [0.78, 0.3, 0.38]));
  for (const lesion of blood) paintSurfaceLesion(canvas, lesion, map);

  return { data: develop(canvas, scene, map, rng), width, height };
}
