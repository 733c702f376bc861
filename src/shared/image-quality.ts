/**
 * Is this fundus photo good enough to grade? Measured inside the field of view the models use
 * (detectFieldOfView, as preprocessFundus finds it), on the pixels the app already decoded:
 * - focus: fine detail of the green channel on a fixed grid across the retina, so the figure means the
 *   same for a 5 MP and a 16 MP camera;
 * - exposure: the share of the retina that is near black, and the share that is washed out;
 * - illumination: how dark the dimmest part of the retina is next to the retina as a whole;
 * - the field of view: found, large enough in the frame and in pixels;
 * - JPEG blockiness: extra steps on the 8-pixel block grid.
 * Each failed measure is a reason with the screener's message and the measured value. Pure
 * TypeScript without DOM or Node APIs: the worker and the Node calibration run the same code.
 * docs/quality-gate.md says what each measure is and how the thresholds were calibrated.
 */
import type { FieldOfView, FovVerdict } from './fov.js';
import { detectFieldOfView } from './fov.js';
import type { PixelImage } from './pixels.js';
import { assertPixelImage } from './pixels.js';

/**
 * Focus is measured on the retina's bounding square averaged down to this many cells a side (≈ 2.5–3.5
 * camera pixels a cell for today's fundus cameras), whatever the camera's pixel count.
 */
export const ANALYSIS_SIZE = 1024;
/** Exposure and illumination need less: a coarser grid of the same square. */
const EXPOSURE_SIZE = 256;
/** Only the retina within this fraction of its radius is measured: the rim is dim and hazy in every photo. */
export const INNER_RADIUS = 0.9;
/**
 * Focus is taken per tile (FOCUS_TILES² tiles over the square), on every other tile (a checkerboard: half
 * the pixels to read), and the median tile is the photo's.
 */
const FOCUS_TILES = 16;
/** A cell averages about this² camera pixels, sampled on a lattice (every pixel while cells are small). */
const SAMPLES_PER_CELL = 3;
/** Luma (Rec. 601, 0–255) below which a cell counts as near black, and above which as washed out. */
export const DARK_LUMA = 20;
export const BRIGHT_LUMA = 220;
/** Illumination sectors: the centre (within CENTRE_RADIUS) and RING_SECTORS slices of the ring around it. */
const RING_SECTORS = 8;
const CENTRE_RADIUS = 0.35;
/** Blockiness is read in a square of half-side BLOCK_REGION × radius around the centre, every BLOCK_SAMPLING-th row/column. */
const BLOCK_REGION = 0.5;
const BLOCK_SAMPLING = 4;

/**
 * Where each limit comes from: `npm run calibrate-quality` (models/quality-gate/calibration.json,
 * docs/quality-gate.md) on the 413 IDRiD training photos, all graded by people: each limit sits a third
 * beyond the worst IDRiD original (a minimum at 2/3 of the lowest value, a maximum at 1.5 × the highest;
 * a bad share f: the good share 1 − f at 2/3 of its lowest), two significant digits. The EyePACS samples
 * and the degraded copies (npm run degrade-photos) are the check, not the source. minFovDiameterPx is
 * not calibrated (IDRiD is one camera): it is the analysis grid's size, below which focus cannot be measured.
 */
export const QUALITY_THRESHOLDS = {
  /** Focus (median over the retina's tiles of RMS Laplacian / mean green, ×1000) at least this. IDRiD lowest 42.6. */
  minFocus: 28,
  /** At most this share of the retina near black (luma < DARK_LUMA). IDRiD highest 0.014. */
  maxDarkFraction: 0.35,
  /** At most this share of the retina washed out (luma > BRIGHT_LUMA). IDRiD highest 0.033. */
  maxBrightFraction: 0.36,
  /** The dimmest sector's median luma at least this share of the whole retina's. IDRiD lowest 0.467. */
  minIlluminationRatio: 0.31,
  /** FOV radius at least this share of half the frame's short side. IDRiD lowest 1.197 (one camera). */
  minFovFrameFraction: 0.79,
  /** FOV diameter at least this many decoded pixels. */
  minFovDiameterPx: ANALYSIS_SIZE,
  /** JPEG blockiness at most this. IDRiD highest 2.26. */
  maxBlockiness: 3.4,
} as const;

export type QualityThresholds = { readonly [K in keyof typeof QUALITY_THRESHOLDS]: number };

export type QualityReason =
  | 'no-field-of-view'
  | 'field-too-small'
  | 'low-resolution'
  | 'blurred'
  | 'too-dark'
  | 'too-bright'
  | 'uneven-illumination'
  | 'jpeg-artefacts';

export interface QualityMeasures {
  readonly fovFound: boolean;
  readonly fovVerdict: FovVerdict;
  /** FOV radius / half the frame's short side (above 1 where the disc is clipped top and bottom); 0 without one. */
  readonly fovFrameFraction: number;
  /** FOV diameter in decoded pixels; 0 without one. */
  readonly fovDiameterPx: number;
  /**
   * The rest are null when no field of view was found. Focus: higher is sharper; also null when the
   * retina is under ANALYSIS_SIZE pixels across (then it cannot be told from blur).
   */
  readonly focus: number | null;
  /** Shares of the measured retina (0–1). */
  readonly darkFraction: number | null;
  readonly brightFraction: number | null;
  /** Median luma of the measured retina (0–255). */
  readonly medianLuma: number | null;
  /** Dimmest sector's median luma / the whole measured retina's (0–1). */
  readonly illuminationRatio: number | null;
  /** Relative excess of the steps on the JPEG block grid over the others (0 when there is no grid). */
  readonly blockiness: number | null;
}

export interface QualityIssue {
  readonly reason: QualityReason;
  /** The measured value the verdict rests on and the limit it broke (null for no field of view). */
  readonly value: number | null;
  readonly limit: number | null;
  /** For the screener, e.g. 'Ungradable: too blurred (focus 12, needs ≥ 30) — retake the photo'. */
  readonly message: string;
}

export interface ImageQuality {
  readonly verdict: 'gradable' | 'ungradable';
  /** Every reason that applies: field of view first, then focus, exposure, illumination, compression. */
  readonly issues: readonly QualityIssue[];
  readonly measures: QualityMeasures;
  /** The field of view measured in (the one passed in, or found here). */
  readonly fov: FieldOfView;
}

export interface QualityOptions {
  /** The field of view already found (preprocessFundus's); detected here when absent. */
  readonly fov?: FieldOfView;
  /**
   * Decoded width / the file's own width when the decoder shrank the photo (the worker caps the long side
   * at 4096 px): JPEG blocks are then 8 × decodeScale pixels apart. Default 1.
   */
  readonly decodeScale?: number;
  readonly thresholds?: QualityThresholds;
}

interface Geometry {
  readonly size: number;
  /** 1 inside INNER_RADIUS of the analysis disc. */
  readonly inner: Uint8Array;
  /** Illumination sector per cell: 0..RING_SECTORS-1 around the ring, RING_SECTORS in the centre. */
  readonly sector: Uint8Array;
  /** Per row, the cells from spanFrom up to spanTo that `inner` marks. */
  readonly spanFrom: Int32Array;
  readonly spanTo: Int32Array;
}

const geometries = new Map<number, Geometry>();

/** A grid is always the same disc in the same square: its masks are computed once per size. */
function geometry(size: number): Geometry {
  const cached = geometries.get(size);
  if (cached) return cached;
  const inner = new Uint8Array(size * size);
  const sector = new Uint8Array(size * size);
  const spanFrom = new Int32Array(size);
  const spanTo = new Int32Array(size);
  for (let r = 0; r < size; r++) {
    let first = -1;
    let last = -1;
    for (let c = 0; c < size; c++) {
      const dx = c + 0.5 - size / 2;
      const dy = r + 0.5 - size / 2;
      const rho = Math.hypot(dx, dy) / (size / 2);
      const i = r * size + c;
      sector[i] =
        rho < CENTRE_RADIUS
          ? RING_SECTORS
          : Math.min(RING_SECTORS - 1, Math.floor(((Math.atan2(dy, dx) + Math.PI) / (2 * Math.PI)) * RING_SECTORS));
      if (rho > INNER_RADIUS) continue;
      inner[i] = 1;
      if (first < 0) first = c;
      last = c;
    }
    spanFrom[r] = first < 0 ? 0 : first;
    spanTo[r] = last + 1;
  }
  const made = { size, inner, sector, spanFrom, spanTo };
  geometries.set(size, made);
  return made;
}

/**
 * Which pixels feed each cell along one axis: from[c] up to (not including) to[c], every `step`-th on a
 * lattice shared by all cells. With cells of ≥ 1 pixel the cell averages them; with smaller cells (a
 * photo with fewer pixels across the retina than the grid has cells) it takes the pixel under its centre.
 */
function axisRanges(size: number, origin: number, cell: number, step: number, extent: number) {
  const from = new Int32Array(size);
  const to = new Int32Array(size);
  const count = new Uint32Array(size);
  for (let c = 0; c < size; c++) {
    if (cell >= 1) {
      // Pixel x belongs to cell floor((x + 0.5 - origin) / cell).
      const first = Math.max(0, Math.ceil(origin + c * cell - 0.5));
      const end = Math.min(extent, Math.ceil(origin + (c + 1) * cell - 0.5));
      from[c] = Math.ceil(first / step) * step;
      to[c] = Math.max(from[c]!, end);
    } else {
      const x = Math.floor(origin + (c + 0.5) * cell);
      if (x < 0 || x >= extent) continue;
      from[c] = x;
      to[c] = x + 1;
    }
    count[c] = to[c]! > from[c]! ? Math.ceil((to[c]! - from[c]!) / step) : 0;
  }
  return { from, to, count };
}

/**
 * Mean green or Rec. 601 luma per cell of the retina's bounding square (fov.box) at `size` cells a side,
 * for the cells `wanted(row)` lists (pairs of [from, to) column ranges); NaN elsewhere and outside the
 * image. Pixels are read on a lattice of step ≈ cell / SAMPLES_PER_CELL.
 */
function cellMeans(
  image: PixelImage,
  fov: FieldOfView,
  size: number,
  channel: 'green' | 'luma',
  wanted: (row: number) => readonly number[],
): Float32Array {
  const { data, width, height, channels } = image;
  const { x: bx, y: by, width: side } = fov.box;
  const cell = side / size;
  const step = Math.max(1, Math.round(cell / SAMPLES_PER_CELL));
  const cols = axisRanges(size, bx, cell, step, width);
  const rows = axisRanges(size, by, cell, step, height);
  const out = new Float32Array(size * size).fill(NaN);
  const sums = new Uint32Array(size);
  const stepBytes = step * channels;
  for (let r = 0; r < size; r++) {
    if (!rows.count[r]) continue;
    const ranges = wanted(r);
    sums.fill(0);
    for (let y = rows.from[r]!; y < rows.to[r]!; y += step) {
      const row = y * width;
      for (let k = 0; k < ranges.length; k += 2) {
        for (let c = ranges[k]!; c < ranges[k + 1]!; c++) {
          const end = (row + cols.to[c]!) * channels;
          let sum = 0;
          if (channel === 'green') {
            for (let p = (row + cols.from[c]!) * channels + 1; p < end; p += stepBytes) sum += data[p]!;
          } else {
            // Luma × 256 in integers: 77 R + 150 G + 29 B.
            for (let p = (row + cols.from[c]!) * channels; p < end; p += stepBytes)
              sum += 77 * data[p]! + 150 * data[p + 1]! + 29 * data[p + 2]!;
          }
          sums[c] = sums[c]! + sum;
        }
      }
    }
    const scale = channel === 'green' ? 1 : 256;
    for (let k = 0; k < ranges.length; k += 2) {
      for (let c = ranges[k]!; c < ranges[k + 1]!; c++) {
        const count = rows.count[r]! * cols.count[c]!;
        if (count) out[r * size + c] = sums[c]! / (scale * count);
      }
    }
  }
  return out;
}

function median(values: number[]): number {
  if (!values.length) return NaN;
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Focus: per tile, RMS of the green channel's Laplacian over the tile's mean green (fine detail relative
 * to brightness, so exposure does not move it), ×1000; the median over the checkerboard's tiles that are at
 * least half inside the measured retina (a sharp optic disc or a few lesions cannot carry a blurred photo).
 */
function focusMeasure(image: PixelImage, fov: FieldOfView): number {
  const n = ANALYSIS_SIZE;
  const tile = n / FOCUS_TILES;
  const { inner, spanFrom, spanTo } = geometry(n);
  const green = cellMeans(image, fov, n, 'green', (r) => {
    const tileRow = Math.floor(r / tile);
    const ranges: number[] = [];
    for (let tc = tileRow % 2; tc < FOCUS_TILES; tc += 2) {
      const from = Math.max(tc * tile, spanFrom[r]!);
      const to = Math.min((tc + 1) * tile, spanTo[r]!);
      if (to > from) ranges.push(from, to);
    }
    return ranges;
  });
  const perTile: number[] = [];
  for (let tr = 0; tr < FOCUS_TILES; tr++) {
    for (let tc = tr % 2; tc < FOCUS_TILES; tc += 2) {
      let sumSq = 0;
      let sumG = 0;
      let count = 0;
      // Cells whose four neighbours lie in the same tile, inside the retina and the image (NaN fails every test).
      for (let r = tr * tile + 1; r < (tr + 1) * tile - 1; r++) {
        for (let c = tc * tile + 1; c < (tc + 1) * tile - 1; c++) {
          const i = r * n + c;
          if (!inner[i]) continue;
          const g = green[i]!;
          const lap = 4 * g - green[i - 1]! - green[i + 1]! - green[i - n]! - green[i + n]!;
          if (!(lap === lap)) continue;
          sumSq += lap * lap;
          sumG += g;
          count++;
        }
      }
      if (count >= (tile * tile) / 2) perTile.push((1000 * Math.sqrt(sumSq / count)) / Math.max(sumG / count, 1));
    }
  }
  return perTile.length ? median(perTile) : 0;
}

/** Median bin of a 256-bin histogram stored at `offset` (NaN when empty). */
function histogramMedian(hist: Uint32Array, offset: number): number {
  let total = 0;
  for (let v = 0; v < 256; v++) total += hist[offset + v]!;
  if (!total) return NaN;
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += hist[offset + v]!;
    if (seen * 2 >= total) return v;
  }
  return 255;
}

interface Exposure {
  readonly dark: number;
  readonly bright: number;
  readonly medianLuma: number;
  readonly illumination: number;
}

/**
 * Near-black and washed-out shares, the median luma, and the dimmest sector's median over the whole
 * retina's (not over the brightest sector's: a large pale optic disc would make a healthy photo look unevenly lit).
 */
function exposureMeasures(image: PixelImage, fov: FieldOfView): Exposure {
  const n = EXPOSURE_SIZE;
  const { inner, sector, spanFrom, spanTo } = geometry(n);
  const luma = cellMeans(image, fov, n, 'luma', (r) => [spanFrom[r]!, spanTo[r]!]);
  let total = 0;
  let dark = 0;
  let bright = 0;
  // One luma histogram per sector, then one for the whole measured retina.
  const hist = new Uint32Array(256 * (RING_SECTORS + 2));
  const whole = 256 * (RING_SECTORS + 1);
  for (let i = 0; i < n * n; i++) {
    const v = luma[i]!;
    if (!inner[i] || Number.isNaN(v)) continue;
    total++;
    if (v < DARK_LUMA) dark++;
    if (v > BRIGHT_LUMA) bright++;
    const bin = Math.min(255, Math.round(v));
    hist[whole + bin]!++;
    hist[256 * sector[i]! + bin]!++;
  }
  const medians: number[] = [];
  for (let s = 0; s <= RING_SECTORS; s++) {
    const m = histogramMedian(hist, 256 * s);
    if (!Number.isNaN(m)) medians.push(m);
  }
  const medianLuma = total ? histogramMedian(hist, whole) : 0;
  const dimmest = Math.min(...medians);
  return {
    dark: total ? dark / total : 1,
    bright: total ? bright / total : 0,
    medianLuma,
    illumination: medians.length && medianLuma > 0 ? Math.min(1, dimmest / medianLuma) : 0,
  };
}

/**
 * JPEG blockiness: how much larger the green steps between neighbouring pixels are on the block grid
 * (every 8 × decodeScale pixels) than elsewhere. The step profile P (mean |ΔG| per column, and per row)
 * is read at the grid's period p by its Fourier component F: when every p-th step is (1 + h) times the
 * others, p·|F| / ΣP ≈ h, the relative excess, whatever the period. Columns and rows averaged, in the
 * middle of the retina.
 */
function blockinessMeasure(image: PixelImage, fov: FieldOfView, decodeScale: number): number {
  const { data, width, height, channels } = image;
  const { cx, cy, radius } = fov.circle;
  const half = BLOCK_REGION * radius;
  const xa = Math.max(0, Math.floor(cx - half));
  const xb = Math.min(width - 1, Math.ceil(cx + half));
  const ya = Math.max(0, Math.floor(cy - half));
  const yb = Math.min(height - 1, Math.ceil(cy + half));
  if (xb - xa < 64 || yb - ya < 64) return 0;
  // colSteps[i]: |G(xa+i+1) − G(xa+i)| summed over sampled rows; rowSteps[j] likewise down sampled columns.
  const colSteps = new Float64Array(xb - xa);
  const rowSteps = new Float64Array(yb - ya);
  const stride = width * channels;
  for (let y = ya; y < yb; y += BLOCK_SAMPLING) {
    let p = y * stride + xa * channels + 1;
    let prev = data[p]!;
    for (let i = 0; i < colSteps.length; i++) {
      p += channels;
      const next = data[p]!;
      colSteps[i] = colSteps[i]! + Math.abs(next - prev);
      prev = next;
    }
  }
  const jump = BLOCK_SAMPLING * channels;
  for (let y = ya; y < yb; y++) {
    let sum = 0;
    for (let p = y * stride + xa * channels + 1, end = y * stride + xb * channels; p < end; p += jump) {
      sum += Math.abs(data[p + stride]! - data[p]!);
    }
    rowSteps[y - ya] = sum;
  }
  const period = 8 * decodeScale;
  const component = (profile: Float64Array, origin: number): number => {
    let re = 0;
    let im = 0;
    let sum = 0;
    for (let i = 0; i < profile.length; i++) {
      // Step i lies between pixels origin + i and origin + i + 1: on a block edge when origin + i + 1 is a multiple of the period.
      const phase = (2 * Math.PI * (origin + i + 1)) / period;
      re += profile[i]! * Math.cos(phase);
      im += profile[i]! * Math.sin(phase);
      sum += profile[i]!;
    }
    return sum > 0 ? (period * Math.hypot(re, im)) / sum : 0;
  };
  return (component(colSteps, xa) + component(rowSteps, ya)) / 2;
}

const FOV_WORDS: Record<FovVerdict, string> = {
  ok: 'found',
  'too-small': 'the image is too small',
  'too-dark': 'the photo is too dark',
  uniform: 'no bright disc on a dark background',
  'no-edge': 'the bright area has no round edge',
  'not-circular': 'the bright area is not round',
  'disc-too-small': 'too small or too far outside the frame',
};

const REASON_WORDS: Record<QualityReason, string> = {
  'no-field-of-view': 'no retina found',
  'field-too-small': 'the retina is too small in the frame',
  'low-resolution': 'too few pixels across the retina',
  blurred: 'too blurred',
  'too-dark': 'too dark',
  'too-bright': 'too bright',
  'uneven-illumination': 'unevenly lit',
  'jpeg-artefacts': 'too heavily compressed',
};

const percent = (share: number) => `${Math.round(share * 100)} %`;

function issue(reason: QualityReason, value: number | null, limit: number | null, detail: string): QualityIssue {
  const advice = reason === 'jpeg-artefacts' ? "use the camera's original photo or retake it" : 'retake the photo';
  return { reason, value, limit, message: `Ungradable: ${REASON_WORDS[reason]} (${detail}) — ${advice}` };
}

/**
 * The verdict on measures already taken: every limit of `thresholds` they break, with its message.
 * assessImageQuality ends with this; the calibration uses it to judge saved measures again.
 */
export function judgeQuality(
  measures: QualityMeasures,
  thresholds: QualityThresholds = QUALITY_THRESHOLDS,
): QualityIssue[] {
  const t = thresholds;
  const m = measures;
  if (!m.fovFound) return [issue('no-field-of-view', null, null, `field of view: ${FOV_WORDS[m.fovVerdict]}`)];
  const issues: QualityIssue[] = [];
  const below = (reason: QualityReason, value: number | null, limit: number, detail: (v: number) => string) => {
    if (value !== null && value < limit) issues.push(issue(reason, value, limit, detail(value)));
  };
  const above = (reason: QualityReason, value: number | null, limit: number, detail: (v: number) => string) => {
    if (value !== null && value > limit) issues.push(issue(reason, value, limit, detail(value)));
  };
  below(
    'field-too-small',
    m.fovFrameFraction,
    t.minFovFrameFraction,
    (v) => `radius ${percent(v)} of half the frame, needs ≥ ${percent(t.minFovFrameFraction)}`,
  );
  below(
    'low-resolution',
    m.fovDiameterPx,
    t.minFovDiameterPx,
    (v) => `${Math.round(v)} px across, needs ≥ ${t.minFovDiameterPx}`,
  );
  below('blurred', m.focus, t.minFocus, (v) => `focus ${Math.round(v)}, needs ≥ ${t.minFocus}`);
  above(
    'too-dark',
    m.darkFraction,
    t.maxDarkFraction,
    (v) => `${percent(v)} of the retina near black, at most ${percent(t.maxDarkFraction)}`,
  );
  above(
    'too-bright',
    m.brightFraction,
    t.maxBrightFraction,
    (v) => `${percent(v)} of the retina washed out, at most ${percent(t.maxBrightFraction)}`,
  );
  below(
    'uneven-illumination',
    m.illuminationRatio,
    t.minIlluminationRatio,
    (v) =>
      `darkest part at ${percent(v)} of the retina's median brightness, needs ≥ ${percent(t.minIlluminationRatio)}`,
  );
  above(
    'jpeg-artefacts',
    m.blockiness,
    t.maxBlockiness,
    (v) => `JPEG blockiness ${v.toFixed(2)}, at most ${t.maxBlockiness}`,
  );
  return issues;
}

/** Measure a decoded photo's gradeability and say why it fails, if it does. */
export function assessImageQuality(image: PixelImage, options: QualityOptions = {}): ImageQuality {
  assertPixelImage(image);
  const thresholds = options.thresholds ?? QUALITY_THRESHOLDS;
  const decodeScale = options.decodeScale ?? 1;
  if (!(decodeScale > 0 && decodeScale <= 1)) throw new RangeError(`decodeScale must be in (0, 1], got ${decodeScale}`);
  const fov = options.fov ?? detectFieldOfView(image);
  let measures: QualityMeasures;
  if (!fov.found) {
    measures = {
      fovFound: false,
      fovVerdict: fov.verdict,
      fovFrameFraction: 0,
      fovDiameterPx: 0,
      focus: null,
      darkFraction: null,
      brightFraction: null,
      medianLuma: null,
      illuminationRatio: null,
      blockiness: null,
    };
  } else {
    const fovDiameterPx = 2 * fov.circle.radius;
    const exposure = exposureMeasures(image, fov);
    measures = {
      fovFound: true,
      fovVerdict: fov.verdict,
      fovFrameFraction: fov.circle.radius / (Math.min(image.width, image.height) / 2),
      fovDiameterPx,
      // Below ANALYSIS_SIZE pixels across, cells repeat pixels: fine detail cannot be told from blur.
      focus: fovDiameterPx >= ANALYSIS_SIZE ? focusMeasure(image, fov) : null,
      darkFraction: exposure.dark,
      brightFraction: exposure.bright,
      medianLuma: exposure.medianLuma,
      illuminationRatio: exposure.illumination,
      blockiness: blockinessMeasure(image, fov, decodeScale),
    };
  }
  const issues = judgeQuality(measures, thresholds);
  return { verdict: issues.length ? 'ungradable' : 'gradable', issues, measures, fov };
}
