import * as tf from '@tensorflow/tfjs';
import type { Examples } from '../train/examples.js';

/**
 * Class probabilities of every example in inference mode (BatchNorm on its moving statistics),
 * `batchSize` at a time: row-major [count, classes].
 */
export async function predictProbabilities(
  model: tf.LayersModel,
  examples: Examples,
  batchSize: number,
  onBatch?: (done: number) => void,
): Promise<Float32Array> {
  const width = examples.inputShape.reduce((a, b) => a * b, 1);
  let out: Float32Array | undefined;
  for (let start = 0; start < examples.count; start += batchSize) {
    const n = Math.min(batchSize, examples.count - start);
    const input = new Float32Array(n * width);
    for (let i = 0; i < n; i++) await examples.load(start + i, input, i * width);
    const x = tf.tensor(input, [n, ...examples.inputShape]);
    const y = model.predict(x) as tf.Tensor2D;
    const classes = y.shape[1];
    const values = (await y.data()) as Float32Array;
    tf.dispose([x, y]);
    out ??= new Float32Array(examples.count * classes);
    out.set(values, start * classes);
    onBatch?.(start + n);
  }
  return out ?? new Float32Array(0);
}
