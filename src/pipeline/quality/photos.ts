/**
 * The quality gate's photo folders and decoding, shared by degrade-photos and calibrate-quality.
 * decodeForAnalysis decodes as the app's worker does (workers/images/decode-image.ts): upright (EXIF),
 * 8-bit sRGB, no more than MAX_ANALYSED_SIDE pixels on the long side.
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import sharp from 'sharp';
import type { PixelImage } from '../../shared/pixels.js';

/** The worker's cap on the decoded long side (MAX_ANALYSED_SIDE in workers/images/decode-image.ts). */
export const MAX_ANALYSED_SIDE = 4096;

/** The photos the gate is calibrated on: IDRiD (thresholds chosen here) and the EyePACS samples (the check). */
export const DEFAULT_PHOTO_DIRS = [
  join('..', 'shared', 'datasets', 'idrid-grading-train', 'images'),
  join('..', 'shared', 'samples', 'eyepacs'),
];
export const DEFAULT_DEGRADED_DIR = join('.cache', 'quality', 'degraded');

const PHOTO_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png']);

/** The photos of a folder (JPEG or PNG, not recursive), sorted by name. */
export async function listPhotos(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && PHOTO_EXTENSIONS.has(extname(e.name).toLowerCase()))
    .map((e) => join(dir, e.name))
    .sort();
}

/**
 * A short name for a folder of photos: its own name, or its parent's when it is called `images`
 * (IDRiD's layout: `idrid-grading-train/images` → `idrid-grading-train`).
 */
export function sourceLabel(dir: string): string {
  const abs = resolve(dir);
  return basename(abs) === 'images' ? basename(dirname(abs)) : basename(abs);
}

/** A photo's name without its extension. */
export function photoStem(path: string): string {
  return basename(path, extname(path));
}

export interface DecodedPhoto {
  readonly image: PixelImage;
  /** Decoded width / the upright photo's own width (1 unless it was shrunk to the cap). */
  readonly decodeScale: number;
  readonly sourceWidth: number;
  readonly sourceHeight: number;
}

function toPixelImage(data: Buffer, width: number, height: number, channels: number): PixelImage {
  if (channels !== 3) throw new Error(`decoded to ${channels} channels, expected 3`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height, channels: 3 };
}

/** Decode upright, sRGB, RGB; shrunk (Lanczos) when the long side exceeds `maxSide`. */
export async function decodePhoto(input: string | Buffer, maxSide = Infinity): Promise<DecodedPhoto> {
  const meta = await sharp(input).metadata();
  if (!meta.width || !meta.height) throw new Error('cannot read the image size');
  // EXIF orientations 5–8 turn the picture a quarter: the upright photo is the other way round.
  const turned = (meta.orientation ?? 1) >= 5;
  const sourceWidth = turned ? meta.height : meta.width;
  const sourceHeight = turned ? meta.width : meta.height;
  const scale = Math.min(1, maxSide / Math.max(sourceWidth, sourceHeight));
  let pipeline = sharp(input).rotate();
  if (scale < 1) {
    pipeline = pipeline.resize(
      Math.max(1, Math.round(sourceWidth * scale)),
      Math.max(1, Math.round(sourceHeight * scale)),
      {
        fit: 'fill',
        kernel: 'lanczos3',
      },
    );
  }
  const { data, info } = await pipeline.toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    image: toPixelImage(data, info.width, info.height, info.channels),
    decodeScale: info.width / sourceWidth,
    sourceWidth,
    sourceHeight,
  };
}

/** The app's decode: what the quality gate sees of a photo in the worker. */
export function decodeForAnalysis(input: string | Buffer): Promise<DecodedPhoto> {
  return decodePhoto(input, MAX_ANALYSED_SIDE);
}
