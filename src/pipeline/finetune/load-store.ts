import type * as tf from '@tensorflow/tfjs';
import type { FundusRecord } from '../data/fundus-record.js';
import { preprocessedImages } from '../train/preprocessed-images.js';
import { extractFeatureStore, readPhotoFeatures } from './feature-store.js';
import { join } from 'node:path';
import type { StoreData } from './recipes.js';
import { localContrastNormalise } from '../../shared/local-contrast.js';
import type { ImageSource } from '../train/examples.js';

/**
 * What the backbone sees: the shared preprocessing's 300 px field-of-view crop as it is, or with
 * Graham's local-contrast normalisation on top (src/shared/local-contrast.ts). Part of the feature
 * store's key.
 */
export const PHOTO_PREPROCESSINGS = ['fov-crop', 'local-contrast'] as const;
export type PhotoPreprocessing = (typeof PHOTO_PREPROCESSINGS)[number];

function storeKeyName(preprocessing: PhotoPreprocessing): string {
  // The plain crop keeps the name its stores were first made under.
  return preprocessing === 'fov-crop' ? 'fov-crop-300' : `${preprocessing}-300`;
}

/**
 * Every photo's cached backbone outputs, extracting what is missing first (minutes for a few
 * hundred photos with onnxruntime-node), all held in memory (~6 MB a photo).
 */
export async function loadStoreData(
  records: readonly FundusRecord[],
  pretrained: tf.LayersModel,
  cacheDir: string,
  log: (line: string) => void = () => {},
  preprocessing: PhotoPreprocessing = 'fov-crop',
): Promise<StoreData> {
  const started = performance.now();
  const crops = preprocessedImages(records, join(cacheDir, 'preprocessed'));
  const images: ImageSource =
    preprocessing === 'fov-crop'
      ? crops
      : { ...crops, image: async (i) => localContrastNormalise(await crops.image(i)) };
  const info = await extractFeatureStore(
    pretrained,
    images,
    records.map((r) => r.image),
    join(cacheDir, 'features'),
    storeKeyName(preprocessing),
    (done, total, cached) => {
      if (!cached && (done % 25 === 0 || done === total))
        log(`  features: ${done}/${total} photos (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    },
  );
  const dir = join(cacheDir, 'features', info.key);
  const photos = await Promise.all(
    records.map(async (r) => {
      const features = await readPhotoFeatures(dir, r.image);
      if (!features) throw new Error(`features of ${r.image} missing from ${dir}`);
      return features;
    }),
  );
  return { photos, labels: records.map((r) => r.level), conv4Size: info.conv4Size, pretrained };
}
