/**
 * Anti-aliased drawing on a float RGB canvas (0..255, interleaved), in pixel coordinates where
 * pixel (x, y) is centred at (x + 0.5, y + 0.5). Just enough for vessels, spots and soft blobs.
 */
import type { Rgb } from './scene-types.js';

export interface Canvas {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
}

export function createCanvas(width: number, height: number): Canvas {
  return { data: new Float32Array(width * height * 3), width, height };
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function clampBox(width: number, height: number, minX: number, minY: number, maxX: number, maxY: number): Box {
  return {
    x0: Math.max(0, Math.floor(minX)),
    y0: Math.max(0, Math.floor(minY)),
    x1: Math.min(width, Math.ceil(maxX)),
    y1: Math.min(height, Math.ceil(maxY)),
  };
}

/**
 * A polyline of varying width into a coverage mask (one float per pixel). Segments are capsules;
 * overlapping segments take the maximum so joints are not drawn twice as dark.
 */
export function strokePath(
  mask: Float32Array,
  width: number,
  height: number,
  xs: readonly number[],
  ys: readonly number[],
  widths: readonly number[],
  strength: number,
): void {
  for (let i = 0; i + 1 < xs.length; i++) {
    const ax = xs[i]!;
    const ay = ys[i]!;
    const bx = xs[i + 1]!;
    const by = ys[i + 1]!;
    const h0 = widths[i]! / 2;
    const h1 = widths[i + 1]! / 2;
    const pad = Math.max(h0, h1) + 1;
    const box = clampBox(width, height, Math.min(ax, bx) - pad, Math.min(ay, by) - pad, Math.max(ax, bx) + pad, Math.max(ay, by) + pad);
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy || 1e-9;
    for (let y = box.y0; y < box.y1; y++) {
      const py = y + 0.5 - ay;
      for (let x = box.x0; x < box.x1; x++) {
        const px = x + 0.5 - ax;
        let t = (px * dx + py * dy) / len2;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const ex = px - t * dx;
        const ey = py - t * dy;
        const cover = h0 + t * (h1 - h0) + 0.5 - Math.sqrt(ex * ex + ey * ey);
        if (cover <= 0) continue;
        const value = (cover > 1 ? 1 : cover) * strength;
        const k = y * width + x;
        if (value > mask[k]!) mask[k] = value;
      }
    }
  }
}

/** Blend `colour` over the canvas wherever the mask covers it. */
export function compositeMask(canvas: Canvas, mask: Float32Array, colour: Rgb): void {
  const { data } = canvas;
  const [r, g, b] = colour;
  for (let k = 0; k < mask.length; k++) {
    const a = mask[k]!;
    if (a === 0) continue;
    const p = k * 3;
    data[p] = data[p]! + (r - data[p]!) * a;
    data[p + 1] = data[p + 1]! + (g - data[p + 1]!) * a;
    data[p + 2] = data[p + 2]! + (b - data[p + 2]!) * a;
  }
}

export interface Circle {
  readonly x: number;
  readonly y: number;
  readonly r: number;
}

/** The union of overlapping discs in one colour, with an edge `softness` pixels wide. */
export function fillCircles(canvas: Canvas, circles: readonly Circle[], colour: Rgb, opacity: number, softness: number): void {
  if (circles.length === 0) return;
  const pad = softness + 1;
  const box = clampBox(
    canvas.width,
    canvas.height,
    Math.min(...circles.map((c) => c.x - c.r)) - pad,
    Math.min(...circles.map((c) => c.y - c.r)) - pad,
    Math.max(...circles.map((c) => c.x + c.r)) + pad,
    Math.max(...circles.map((c) => c.y + c.r)) + pad,
  );
  const { data, width } = canvas;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      let cover = 0;
      for (const c of circles) {
        const d = Math.hypot(x + 0.5 - c.x, y + 0.5 - c.y);
        const v = (c.r - d) / softness + 0.5;
        if (v > cover) cover = v;
      }
      if (cover <= 0) continue;
      const a = (cover > 1 ? 1 : cover) * opacity;
      const p = (y * width + x) * 3;
      data[p] = data[p]! + (colour[0] - data[p]!) * a;
      data[p + 1] = data[p + 1]! + (colour[1] - data[p + 1]!) * a;
      data[p + 2] = data[p + 2]! + (colour[2] - data[p + 2]!) * a;
    }
  }
}

export interface Ellipse {
  readonly x: number;
  readonly y: number;
  readonly rx: number;
  readonly ry: number;
  readonly angle: number;
}

/**
 * Blend with an opacity that depends on the normalised elliptical radius q (0 at the centre,
 * 1 on the outline); `reach` is how far out (in q) the profile can be non-zero.
 */
export function fillEllipse(canvas: Canvas, e: Ellipse, colour: Rgb, profile: (q: number) => number, reach = 1): void {
  const c = Math.cos(e.angle);
  const s = Math.sin(e.angle);
  const extent = Math.max(e.rx, e.ry) * reach + 1;
  const box = clampBox(canvas.width, canvas.height, e.x - extent, e.y - extent, e.x + extent, e.y + extent);
  const { data, width } = canvas;
  for (let y = box.y0; y < box.y1; y++) {
    const dy = y + 0.5 - e.y;
    for (let x = box.x0; x < box.x1; x++) {
      const dx = x + 0.5 - e.x;
      const a1 = (c * dx + s * dy) / e.rx;
      const a2 = (-s * dx + c * dy) / e.ry;
      const q = Math.sqrt(a1 * a1 + a2 * a2);
      if (q >= reach) continue;
      const a = profile(q);
      if (a <= 0) continue;
      const p = (y * width + x) * 3;
      data[p] = data[p]! + (colour[0] - data[p]!) * a;
      data[p + 1] = data[p + 1]! + (colour[1] - data[p + 1]!) * a;
      data[p + 2] = data[p + 2]! + (colour[2] - data[p + 2]!) * a;
    }
  }
}

/** Boat shape: a sharp horizontal top edge at `top` and the lower half of an ellipse below it. */
export function fillBoat(canvas: Canvas, x: number, top: number, halfWidth: number, depth: number, colour: Rgb, opacity: number): void {
  const box = clampBox(canvas.width, canvas.height, x - halfWidth - 1, top - 1, x + halfWidth + 1, top + depth + 1);
  const { data, width } = canvas;
  for (let y = box.y0; y < box.y1; y++) {
    const dy = (y + 0.5 - top) / depth;
    const topCover = Math.min(1, Math.max(0, y + 1 - top));
    for (let xi = box.x0; xi < box.x1; xi++) {
      const dx = (xi + 0.5 - x) / halfWidth;
      const q = Math.sqrt(dx * dx + Math.max(0, dy) * Math.max(0, dy));
      const edge = Math.min(1, Math.max(0, (1 - q) * Math.min(halfWidth, depth) + 0.5));
      const a = edge * topCover * opacity;
      if (a <= 0) continue;
      const p = (y * width + xi) * 3;
      data[p] = data[p]! + (colour[0] - data[p]!) * a;
      data[p + 1] = data[p + 1]! + (colour[1] - data[p + 1]!) * a;
      data[p + 2] = data[p + 2]! + (colour[2] - data[p + 2]!) * a;
    }
  }
}
