/**
 * Kaggle's EyePACS "Diabetic Retinopathy Detection" layout: trainLabels.csv (`image,level`) and
 * `<image>.jpeg` files, either beside the CSV or in a `train/` folder under it. Our synthetic
 * datasets use the same layout, so training reads both the same way.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import sharp from 'sharp';
import type { Grade } from '../../shared/grades.js';
import type { PixelImage } from '../../shared/pixels.js';
import { preprocessFundus, type Preprocessed } from '../../shared/preprocess.js';
import { DataError } from './data-error.js';
import { parseLabelsCsv } from './labels-csv.js';

export type Eye = 'left' | 'right';

export interface KaggleRecord {
  /** Id as in the CSV, e.g. `10_left`. */
  readonly image: string;
  readonly level: Grade;
  /** `10` for `10_left`; the whole id when it does not end in `_left`/`_right`. */
  readonly patientId: string;
  readonly eye: Eye | null;
  /** Absolute or dir-relative path of the image file that was found. */
  readonly path: string;
}

export interface KaggleLoadOptions {
  /** Default: `<dir>/trainLabels.csv`. */
  readonly labelsPath?: string;
  /** Default: `<dir>` and `<dir>/train`, in that order. */
  readonly imagesDirs?: readonly string[];
}

/** Tried in this order for each id; Kaggle ships `.jpeg`. */
export const IMAGE_EXTENSIONS = ['.jpeg', '.jpg', '.png'] as const;

const EYE_SUFFIX = /^(.+)_(left|right)$/i;

export function parseImageId(image: string): { patientId: string; eye: Eye | null } {
  const match = EYE_SUFFIX.exec(image);
  return match ? { patientId: match[1]!, eye: match[2]!.toLowerCase() as Eye } : { patientId: image, eye: null };
}

/** False for a missing path or a file; used to skip image folders that are not there. */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * One directory listing per folder instead of a stat per image: 35,000 ids resolve in milliseconds.
 * Keys are `<base name><lower-case extension>`; an earlier folder wins over a later one.
 */
export async function indexImages(dirs: readonly string[]): Promise<Map<string, string>> {
  const index = new Map<string, string>();
  for (const dir of dirs) {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const ext = extname(entry.name);
      const key = entry.name.slice(0, entry.name.length - ext.length) + ext.toLowerCase();
      if (!index.has(key)) index.set(key, join(dir, entry.name));
    }
  }
  return index;
}

/** Read and check the labels, and find every image file; throws DataError naming the file and line. */
export async function loadKaggleDataset(dir: string, options: KaggleLoadOptions = {}): Promise<KaggleRecord[]> {
  const labelsPath = options.labelsPath ?? join(dir, 'trainLabels.csv');
  let text: string;
  try {
    text = await readFile(labelsPath, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'labels file not found (expected a CSV with columns image,level)' : `cannot read labels file: ${(error as Error).message}`;
    throw new DataError(labelsPath, undefined, reason);
  }
  const rows = parseLabelsCsv(text, labelsPath);

  const candidates = options.imagesDirs ?? [dir, join(dir, 'train')];
  const dirs: string[] = [];
  for (const d of candidates) if (await isDirectory(d)) dirs.push(d);
  const index = await indexImages(dirs);
  return rows.map((row) => {
    const path = IMAGE_EXTENSIONS.map((ext) => index.get(row.image + ext)).find((p) => p !== undefined);
    if (!path) {
      throw new DataError(labelsPath, row.line, `image "${row.image}" not found: no ${IMAGE_EXTENSIONS.map((e) => row.image + e).join(', ')} in ${dirs.join(', ') || candidates.join(', ')}`);
    }
    return { image: row.image, level: row.level, ...parseImageId(row.image), path };
  });
}

/**
 * Decode like the browser does with createImageBitmap(imageOrientation: 'from-image'): EXIF
 * orientation applied, converted to 8-bit sRGB with 3 channels (grayscale expanded, alpha dropped).
 */
export async function decodeImageFile(path: string): Promise<PixelImage> {
  try {
    const { data, info } = await sharp(path).rotate().toColourspace('srgb').removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
  } catch (error) {
    throw new DataError(path, undefined, `cannot decode image: ${(error as Error).message}`);
  }
}

/** Decode a record's image and run the shared preprocessing (FOV crop, resize to `size`). */
export async function preprocessRecord(record: Pick<KaggleRecord, 'path'>, size?: number): Promise<Preprocessed> {
  return preprocessFundus(await decodeImageFile(record.path), size);
}
