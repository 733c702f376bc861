import type { ModelDescription } from '../../shared/model-manifest.js';
import { randomizeBatchNormStatistics } from '../model/random-batchnorm.js';
import { buildTinyClassifier } from '../model/tiny-classifier.js';
import { saveCanonicalModel } from './canonical-store.js';

export const TINY_MODEL_SEED = 1;

export const TINY_MODEL_DESCRIPTION: ModelDescription = {
  id: 'tiny',
  // 2: the same weights; its ONNX form gained the Grad-CAM output, and published versions never change.
  version: '2',
  name: 'Tiny test model (random weights)',
  trainingData: 'none (random init, for tests)',
  demo: true,
};

/**
 * The committed tiny test model's canonical store: seeded random (untrained) weights with
 * randomised BatchNorm statistics, so it exercises the exporter's folding. Same bytes every run.
 */
export async function makeTinyModel(outDir: string): Promise<void> {
  const model = buildTinyClassifier({ seed: TINY_MODEL_SEED });
  randomizeBatchNormStatistics(model, TINY_MODEL_SEED);
  await saveCanonicalModel(model, outDir, TINY_MODEL_DESCRIPTION);
  model.dispose();
}
