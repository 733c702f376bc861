import type { Circle } from './circle-fit.js';
import { fitCircleRobust } from './circle-fit.js';
import type { PixelImage } from './pixels.js';
import { assertPixelImage } from './pixels.js';
import type { Region } from './resize.js';

/**
 * Why a photo was (not) accepted as a fundus photo:
 * - 'ok': a retina was found;
 * - 'too-small': the image is under MIN_IMAGE_SIDE pixels;
 * - 'too-dark': nothing brighter than a black frame;
 * - 'uniform': no bright region stands out from a dark one;
 * - 'no-edge': the bright region has no edge against a dark background (it fills the frame or is a gradient);
 * - 'not-circular': the bright region is not a disc (a document, a screen, noise);
 * - 'disc-too-small': a disc, but too small or mostly outside the frame to grade.
 */
export type FovVerdict = 'ok' | 'too-small' | 'too-dark' | 'uniform' | 'no-edge' | 'not-circular' | 'disc-too-small';

export interface FieldOfView {
  /** True when a bright, circular retina on a dark background is in view. */
  readonly found: boolean;
  readonly verdict: FovVerdict;
  /** 0..1: overlap (IoU) of the bright region with the fitted circle; 0 when nothing was fitted. */
  readonly confidence: number;
  /**
   * Source pixel coordinates (pixel i spans [i, i+1)). When `found` is false this is the fallback:
   * the largest circle centred in the image, so callers that must produce a tensor still can.
   */
  readonly circle: Circle;
  /** The square around the circle (side = diameter); may reach outside the image where the disc is clipped. */
  readonly box: Region;
}

export const MIN_IMAGE_SIDE = 64;
/** Detection runs on a grid of cell means no wider than this: plenty for a sub-percent radius. */
const GRID_MAX_SIDE = 256;
const MIN_BRIGHTNESS = 16;
const MIN_CONTRAST = 16;
/** Threshold placed this far from the background level towards the retina level: low enough to keep the dim rim. */
const THRESHOLD_FRACTION = 0.2;
const MIN_RADIUS_FRACTION = 0.2;
const MIN_VISIBLE_FRACTION = 0.45;
const MAX_RELATIVE_RMS = 0.03;
const MIN_IOU = 0.85;
const MIN_EDGE_POINTS = 12;

interface Grid {
  readonly values: Float32Array;
  readonly width: number;
  readonly height: number;
  /** Source pixels per cell side. */
  readonly cell: number;
}

/**
 * Mean of max(R,G,B) per cell. The max channel keeps a retina bright under colour casts (a blue
 * cast still leaves a strong red), and averaging over a cell removes sensor and JPEG noise.
 * Large photos are sampled on a sparse lattice inside each cell: detection needs no more.
 */
function brightnessGrid(image: PixelImage): Grid {
  const { data, width, height, channels } = image;
  const cell = Math.max(1, Math.ceil(Math.max(width, height) / GRID_MAX_SIDE));
  const step = Math.max(1, Math.floor(cell / 4));
  const gw = Math.ceil(width / cell);
  const gh = Math.ceil(height / cell);
  const sums = new Float64Array(gw * gh);
  const counts = new Uint32Array(gw * gh);
  for (let y = 0; y < height; y += step) {
    const rowCells = Math.floor(y / cell) * gw;
    let p = y * width * channels;
    const pStep = step * channels;
    for (let x = 0; x < width; x += step, p += pStep) {
      const r = data[p]!;
      const g = data[p + 1]!;
      const b = data[p + 2]!;
      const m = r > g ? (r > b ? r : b) : g > b ? g : b;
      const c = rowCells + Math.floor(x / cell);
      sums[c] = sums[c]! + m;
      counts[c] = counts[c]! + 1;
    }
  }
  const values = new Float32Array(gw * gh);
  for (let i = 0; i < values.length; i++) values[i] = counts[i]! ? sums[i]! / counts[i]! : 0;
  return { values, width: gw, height: gh, cell };
}

interface Levels {
  readonly background: number;
  readonly retina: number;
  readonly bright: number;
}

/** Otsu split of the cell histogram, then the median of each side: robust levels for background and retina. */
function levels(values: Float32Array): Levels {
  const hist = new Float64Array(256);
  for (const v of values) hist[Math.min(255, Math.round(v))]!++;
  const total = values.length;
  let sumAll = 0;
  for (let i = 0; i < 256; i++) sumAll += i * hist[i]!;
  let best = -1;
  let split = 0;
  let w0 = 0;
  let sum0 = 0;
  for (let t = 0; t < 255; t++) {
    w0 += hist[t]!;
    sum0 += t * hist[t]!;
    const w1 = total - w0;
    if (w0 === 0 || w1 === 0) continue;
    const diff = sum0 / w0 - (sumAll - sum0) / w1;
    const between = w0 * w1 * diff * diff;
    if (between > best) {
      best = between;
      split = t;
    }
  }
  const median = (from: number, to: number): number => {
    let n = 0;
    for (let i = from; i <= to; i++) n += hist[i]!;
    let seen = 0;
    for (let i = from; i <= to; i++) {
      seen += hist[i]!;
      if (seen * 2 >= n) return i;
    }
    return from;
  };
  let bright = 255;
  for (let seen = 0; bright > 0; bright--) {
    seen += hist[bright]!;
    if (seen >= total * 0.005) break;
  }
  return best < 0
    ? { background: median(0, 255), retina: median(0, 255), bright }
    : { background: median(0, split), retina: median(split + 1, 255), bright };
}

/** The largest 4-connected set of cells above the threshold (stray bright specks and captions lose). */
function largestComponent(
  mask: Uint8Array,
  width: number,
  height: number,
): { labels: Int32Array; label: number; size: number } {
  const labels = new Int32Array(mask.length);
  const queue = new Int32Array(mask.length);
  let bestLabel = 0;
  let bestSize = 0;
  let next = 0;
  for (let seed = 0; seed < mask.length; seed++) {
    if (!mask[seed] || labels[seed]) continue;
    next++;
    let head = 0;
    let tail = 0;
    queue[tail++] = seed;
    labels[seed] = next;
    while (head < tail) {
      const i = queue[head++]!;
      const x = i % width;
      const visit = (j: number): void => {
        if (mask[j] && !labels[j]) {
          labels[j] = next;
          queue[tail++] = j;
        }
      };
      if (x > 0) visit(i - 1);
      if (x < width - 1) visit(i + 1);
      if (i >= width) visit(i - width);
      if (i < width * (height - 1)) visit(i + width);
    }
    if (tail > bestSize) {
      bestSize = tail;
      bestLabel = next;
    }
  }
  return { labels, label: bestLabel, size: bestSize };
}

/** Where the brightness crosses the threshold between two neighbouring cell centres (cell units). */
function crossing(
  inside: number,
  outside: number,
  threshold: number,
  insideCentre: number,
  outsideCentre: number,
): number {
  const span = inside - outside;
  const t = span > 0 ? Math.min(1, Math.max(0, (threshold - outside) / span)) : 0.5;
  return outsideCentre + t * (insideCentre - outsideCentre);
}

function fallback(width: number, height: number, verdict: FovVerdict, confidence = 0): FieldOfView {
  const circle = { cx: width / 2, cy: height / 2, radius: Math.min(width, height) / 2 };
  return { found: false, verdict, confidence, circle, box: squareAround(circle) };
}

function squareAround(circle: Circle): Region {
  return {
    x: circle.cx - circle.radius,
    y: circle.cy - circle.radius,
    width: 2 * circle.radius,
    height: 2 * circle.radius,
  };
}

/**
 * Find the circular field of view of a fundus photo: the bright retina disc on black, often
 * clipped at the top and bottom. Edge points come from the left/right ends of each grid row and
 * the top/bottom ends of each column of the largest bright region, except where that region runs
 * into the image border (a clipped edge is not the circle). A robust circle fit through them is
 * then checked against the region itself.
 */
export function detectFieldOfView(image: PixelImage): FieldOfView {
  assertPixelImage(image);
  const { width, height } = image;
  if (Math.min(width, height) < MIN_IMAGE_SIDE) return fallback(width, height, 'too-small');

  const grid = brightnessGrid(image);
  const { values, width: gw, height: gh, cell } = grid;
  const lv = levels(values);
  if (lv.bright < MIN_BRIGHTNESS) return fallback(width, height, 'too-dark');
  if (lv.retina - lv.background < MIN_CONTRAST) return fallback(width, height, 'uniform');
  const threshold = lv.background + THRESHOLD_FRACTION * (lv.retina - lv.background);

  const mask = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) mask[i] = values[i]! > threshold ? 1 : 0;
  const { labels, label } = largestComponent(mask, gw, gh);

  const xs: number[] = [];
  const ys: number[] = [];
  const rowFirst = new Int32Array(gh).fill(-1);
  const rowLast = new Int32Array(gh).fill(-1);
  for (let y = 0; y < gh; y++) {
    for (let x = 0; x < gw; x++) {
      if (labels[y * gw + x] !== label) continue;
      if (rowFirst[y] === -1) rowFirst[y] = x;
      rowLast[y] = x;
    }
    const first = rowFirst[y]!;
    const last = rowLast[y]!;
    if (first > 0) {
      xs.push(crossing(values[y * gw + first]!, values[y * gw + first - 1]!, threshold, first + 0.5, first - 0.5));
      ys.push(y + 0.5);
    }
    if (last >= 0 && last < gw - 1) {
      xs.push(crossing(values[y * gw + last]!, values[y * gw + last + 1]!, threshold, last + 0.5, last + 1.5));
      ys.push(y + 0.5);
    }
  }
  for (let x = 0; x < gw; x++) {
    let first = -1;
    let last = -1;
    for (let y = 0; y < gh; y++) {
      if (labels[y * gw + x] !== label) continue;
      if (first === -1) first = y;
      last = y;
    }
    if (first > 0) {
      ys.push(crossing(values[first * gw + x]!, values[(first - 1) * gw + x]!, threshold, first + 0.5, first - 0.5));
      xs.push(x + 0.5);
    }
    if (last >= 0 && last < gh - 1) {
      ys.push(crossing(values[last * gw + x]!, values[(last + 1) * gw + x]!, threshold, last + 0.5, last + 1.5));
      xs.push(x + 0.5);
    }
  }
  if (xs.length < MIN_EDGE_POINTS) return fallback(width, height, 'no-edge');

  const fit = fitCircleRobust(xs, ys, 1.5);
  if (!fit || fit.inliers < MIN_EDGE_POINTS) return fallback(width, height, 'no-edge');

  // Compare the region (each row filled between its ends, so dark lesions inside do not count
  // against it) with the fitted circle as far as it lies inside the image.
  let both = 0;
  let either = 0;
  let circleInside = 0;
  const r2 = fit.radius * fit.radius;
  for (let y = 0; y < gh; y++) {
    const dy = y + 0.5 - fit.cy;
    for (let x = 0; x < gw; x++) {
      const dx = x + 0.5 - fit.cx;
      const inCircle = dx * dx + dy * dy <= r2;
      const inRegion = rowFirst[y]! >= 0 && x >= rowFirst[y]! && x <= rowLast[y]!;
      if (inCircle) circleInside++;
      if (inCircle && inRegion) both++;
      if (inCircle || inRegion) either++;
    }
  }
  const iou = either ? both / either : 0;
  const circle = { cx: fit.cx * cell, cy: fit.cy * cell, radius: fit.radius * cell };
  const visible = circleInside / (Math.PI * r2);
  if (iou < MIN_IOU || fit.rms > MAX_RELATIVE_RMS * fit.radius + 0.5)
    return fallback(width, height, 'not-circular', iou);
  if (circle.radius < MIN_RADIUS_FRACTION * Math.min(width, height) || visible < MIN_VISIBLE_FRACTION) {
    return fallback(width, height, 'disc-too-small', iou);
  }
  return { found: true, verdict: 'ok', confidence: iou, circle, box: squareAround(circle) };
}
