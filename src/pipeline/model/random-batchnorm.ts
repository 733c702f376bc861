import * as tf from '@tensorflow/tfjs';

/**
 * Gives every BatchNormalization layer seeded random γ, β, moving mean and moving variance. Fresh
 * BN layers are identities (1, 0, 0, 1), which would let a broken BN fold in an exporter pass
 * unnoticed; untrained test models get these instead.
 */
export function randomizeBatchNormStatistics(model: tf.LayersModel, seed: number): void {
  const ranges: Record<string, [number, number]> = {
    gamma: [0.5, 1.5],
    beta: [-0.5, 0.5],
    moving_mean: [-0.5, 0.5],
    moving_variance: [0.25, 2],
  };
  let stream = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const values = layer.weights.map((weight) => {
      const key = weight.originalName.slice(weight.originalName.lastIndexOf('/') + 1);
      const range = ranges[key];
      if (!range) throw new Error(`${layer.name}: unexpected BatchNormalization weight ${weight.originalName}`);
      return tf.randomUniform(weight.shape as number[], range[0], range[1], 'float32', seed * 100_000 + stream++);
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}
