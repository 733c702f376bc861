import type * as tf from '@tensorflow/tfjs';
import type { ModelDescription } from '../../shared/model-manifest.js';
import { IMAGENET_NORMALIZATION_LAYER } from '../model/imagenet-normalization.js';
import { writeModelDescription } from './model-description.js';
import { saveLayersModel } from './tfjs-model-io.js';

/**
 * The canonical weight store: the one copy of a model's weights in git (models/<id>/), from which
 * the build derives every servable format. TF.js layers format with fp16 weights (half of fp32's
 * bytes; the variants are compared against each other, so both see the same fp16-rounded
 * weights), except the normalisation constants, which stay exact float32.
 */
export const CANONICAL_CONVERTED_BY = 'fundus-grader canonical fp16 store';

export async function saveCanonicalModel(model: tf.LayersModel, dir: string, description: ModelDescription): Promise<void> {
  await saveLayersModel(model, dir, {
    form: 'fp16',
    keepFloat32: (name) => name.startsWith(`${IMAGENET_NORMALIZATION_LAYER}/`),
    convertedBy: CANONICAL_CONVERTED_BY,
  });
  await writeModelDescription(dir, description);
}
