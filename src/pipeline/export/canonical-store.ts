import type * as tf from '@tensorflow/tfjs';
import type { ModelDescription } from '../../shared/model-manifest.js';
import { IMAGENET_NORMALIZATION_LAYER } from '../model/imagenet-normalization.js';
import { writeModelDescription } from './model-description.js';
import { saveLayersModel } from './tfjs-model-io.js';

/**
 * The canonical weight store: the one copy of a model's weights in git (models/<id>/), from which
 * the build derives every servable format. TF.js layers format with fp16 weights (half of fp32's
 * bytes; the variants are compared against each other, so both see the same fp16-rounded
 * weights), except the normalisation constants, which stay exact float32, and any weight beyond
 * float16's range.
 */
export const CANONICAL_CONVERTED_BY = 'fundus-grader canonical fp16 store';

/** The largest finite float16. */
export const FLOAT16_MAX = 65504;

/**
 * Weights that float16 cannot hold: ImageNet's conv1 BatchNorm sees conv outputs of 0–255-scale
 * pixels, and its moving variance reaches ~8·10⁴. They stay float32 in the store, as the
 * normalisation constants do; every derived form honours that per weight.
 */
export function weightsBeyondFloat16(model: tf.LayersModel): Set<string> {
  const names = new Set<string>();
  for (const w of model.weights) {
    const values = w.read().dataSync();
    if (values.some((v) => Math.abs(v) > FLOAT16_MAX)) names.add(w.originalName);
  }
  return names;
}

export async function saveCanonicalModel(
  model: tf.LayersModel,
  dir: string,
  description: ModelDescription,
): Promise<void> {
  const wide = weightsBeyondFloat16(model);
  await saveLayersModel(model, dir, {
    form: 'fp16',
    keepFloat32: (name) => name.startsWith(`${IMAGENET_NORMALIZATION_LAYER}/`) || wide.has(name),
    convertedBy: CANONICAL_CONVERTED_BY,
  });
  await writeModelDescription(dir, description);
}
