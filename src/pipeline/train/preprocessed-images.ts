import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { INPUT_SIZE } from '../../shared/model-contract.js';
import type { RgbImage } from '../../shared/pixels.js';
import { preprocessRecord, type KaggleRecord } from '../data/kaggle-loader.js';
import { hashSeed } from '../data/random.js';
import type { ImageSource } from './examples.js';

/** Bump when the shared preprocessing changes what it produces, so old cache files are not read. */
const CACHE_VERSION = 1;

/**
 * Kaggle-layout images through the shared preprocessing (FOV crop, INPUT_SIZE RGB), each done once
 * and kept as raw RGB bytes in `cacheDir`: decoding a 3000 px JPEG and finding its field of view
 * costs far more than reading 270 KB back every epoch. A cache file is named after the image's
 * path, size and modification time, so a replaced photo is preprocessed again.
 */
export function preprocessedImages(records: readonly KaggleRecord[], cacheDir: string): ImageSource {
  const size = INPUT_SIZE;
  let ready: Promise<string> | undefined;
  const folder = () => (ready ??= mkdir(cacheDir, { recursive: true }).then(() => cacheDir));
  return {
    count: records.length,
    labels: records.map((r) => r.level),
    size,
    async image(index): Promise<RgbImage> {
      const record = records[index]!;
      const info = await stat(record.path);
      const key = hashSeed(CACHE_VERSION, resolve(record.path), info.size, info.mtimeMs).toString(16).padStart(8, '0');
      const path = join(await folder(), `${record.image.replace(/[^\w.-]/g, '_')}-${key}.rgb`);
      try {
        const data = await readFile(path);
        if (data.length === size * size * 3)
          return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: size, height: size };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      const { rgb } = await preprocessRecord(record, size);
      // Write-then-rename: a concurrent or interrupted run never reads half a file.
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, rgb.data);
      await rename(temporary, path);
      return rgb;
    },
  };
}
