import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { PixelImage } from '../../../../src/shared/pixels.js';

/** A fresh folder under the OS temp dir, removed when the test ends. */
export async function tempDir(t: TestContext, prefix = 'fg-data-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface DiscSpec {
  readonly width: number;
  readonly height: number;
  readonly cx: number;
  readonly cy: number;
  readonly radius: number;
  readonly inside?: readonly [number, number, number];
  readonly outside?: readonly [number, number, number];
  readonly channels?: 3 | 4;
}

/** A flat-coloured disc on a flat background: the simplest "fundus" with a known answer. */
export function discImage(spec: DiscSpec): PixelImage {
  const { width, height, cx, cy, radius, inside = [200, 90, 40], outside = [0, 0, 0], channels = 3 } = spec;
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const colour = Math.hypot(x + 0.5 - cx, y + 0.5 - cy) < radius ? inside : outside;
      const p = (y * width + x) * channels;
      data[p] = colour[0];
      data[p + 1] = colour[1];
      data[p + 2] = colour[2];
      if (channels === 4) data[p + 3] = 255;
    }
  }
  return { data, width, height, channels };
}

export function filledImage(width: number, height: number, pixel: (x: number, y: number) => readonly [number, number, number]): PixelImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 3);
  }
  return { data, width, height, channels: 3 };
}
