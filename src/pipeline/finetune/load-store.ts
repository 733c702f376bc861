import type * as tf from '@tensorflow/tfjs';
import type { FundusRecord } from '../data/fundus-record.js';
import { preprocessedImages } from '../train/preprocessed-images.js';
import { extractFeatureStore, readPhotoFeatures } from './feature-store.js';
import { join } from 'node:path';
import type { StoreData } from './recipes.js';

/** The preprocessing the feature store was made with (part of its key). */
export const STORE_PREPROCESSING = 'fov-crop-300';

/**
 * Every photo's cached backbone outputs, extracting what is missing first (minutes for a few
 * hundred photos with onnxruntime-node), all held in memory (~6 MB a photo).
 */
export async function loadStoreData(
  records: readonly FundusRecord[],
  pretrained: tf.LayersModel,
  cacheDir: string,
  log: (line: string) => void = () => {},
): Promise<StoreData> {
  const started = performance.now();
  const info = await extractFeatureStore(
    pretrained,
    preprocessedImages(records, join(cacheDir, 'preprocessed')),
    records.map((r) => r.image),
    join(cacheDir, 'features'),
    STORE_PREPROCESSING,
    (done, total, cached) => {
      if (!cached && (done % 25 === 0 || done === total)) log(`  features: ${done}/${total} photos (${((performance.now() - started) / 1000).toFixed(0)} s)`);
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
