import * as tf from '@tensorflow/tfjs';

/**
 * Model weights by their original names ("conv1_conv/kernel"), which stay the same however many
 * models a process builds (the engine's variable names get numeric suffixes) and whatever the
 * input resolution, so checkpoints, best-weight snapshots and resolution changes all use them.
 */

export function trainableVariables(model: tf.LayersModel): Map<string, tf.Variable> {
  // LayerVariable.read() is the tf.Variable itself (typed as Tensor).
  return new Map(model.trainableWeights.map((w) => [w.originalName, w.read() as tf.Variable]));
}

/** Copies of every weight (trainable or not, e.g. BatchNorm moving statistics). */
export function snapshotWeights(model: tf.LayersModel): Map<string, tf.Tensor> {
  return new Map(model.weights.map((w) => [w.originalName, tf.keep(tf.clone(w.read()))]));
}

/** Writes every weight of `model` from `values`, which must hold each one with the same shape. */
export function restoreWeights(model: tf.LayersModel, values: ReadonlyMap<string, tf.Tensor>): void {
  for (const w of model.weights) {
    const value = values.get(w.originalName);
    if (!value) throw new Error(`no value for weight ${w.originalName}`);
    if (!tf.util.arraysEqual(value.shape, w.shape as number[])) {
      throw new Error(
        `weight ${w.originalName}: shape ${JSON.stringify(value.shape)} does not fit ${JSON.stringify(w.shape)}`,
      );
    }
    w.write(value);
  }
}

/**
 * Copies the weights of `to` that `select` picks (default all) from the same-named weights of
 * `from`: between two builds of one architecture (trained at 160 px, served at 300), or the head of
 * a features-only model into the full classifier.
 */
export function transferWeights(
  from: tf.LayersModel,
  to: tf.LayersModel,
  select: (name: string) => boolean = () => true,
): void {
  const source = new Map(from.weights.map((w) => [w.originalName, w]));
  for (const w of to.weights) {
    if (!select(w.originalName)) continue;
    const value = source.get(w.originalName);
    if (!value) throw new Error(`${from.name} has no weight ${w.originalName} for ${to.name}`);
    w.write(value.read());
  }
}

export function disposeWeights(weights: ReadonlyMap<string, tf.Tensor>): void {
  tf.dispose([...weights.values()]);
}
