import * as tf from '@tensorflow/tfjs';
import { readCheckpointFile, writeCheckpointFile } from './checkpoint-file.js';

interface FeatureFileState {
  key: string;
  width: number;
}

/**
 * Feature rows [count, width] kept in one file (the checkpoint format) under a key describing where
 * they came from (model files, images): a matching file is read back, anything else is recomputed.
 * Stage B trains many epochs on features that take minutes to extract.
 */
export async function cachedFeatures(
  path: string,
  key: string,
  extract: () => Promise<{ values: Float32Array; width: number }>,
): Promise<{ values: Float32Array; width: number; cached: boolean }> {
  try {
    const { state, tensors } = await readCheckpointFile<FeatureFileState>(path);
    const stored = tensors.get('features');
    if (state.key === key && stored) return { values: stored.values, width: state.width, cached: true };
  } catch {
    // Missing or unreadable: it is only a cache, recompute.
  }
  const { values, width } = await extract();
  const t = tf.tensor2d(values, [values.length / width, width]);
  try {
    await writeCheckpointFile<FeatureFileState>(path, { key, width }, new Map([['features', t]]));
  } finally {
    t.dispose();
  }
  return { values, width, cached: false };
}
