import * as tf from '@tensorflow/tfjs';
import type { Examples } from './examples.js';

/**
 * Runs `forward` (inference) over every example, `batchSize` at a time, and returns each of its
 * outputs for all examples, row-major [count, width]: the class probabilities, and the auxiliary
 * head's predictions when training has one, from a single pass over the validation images.
 */
export async function predictRows(
  examples: Examples,
  batchSize: number,
  forward: (x: tf.Tensor) => tf.Tensor2D[],
  onBatch?: (done: number) => void,
): Promise<Float32Array[]> {
  const width = examples.inputShape.reduce((a, b) => a * b, 1);
  let out: Float32Array[] | undefined;
  for (let start = 0; start < examples.count; start += batchSize) {
    const n = Math.min(batchSize, examples.count - start);
    const input = new Float32Array(n * width);
    for (let i = 0; i < n; i++) await examples.load(start + i, input, i * width);
    const x = tf.tensor(input, [n, ...examples.inputShape]);
    const outputs = forward(x);
    const values = await Promise.all(outputs.map((y) => y.data() as Promise<Float32Array>));
    out ??= outputs.map((y) => new Float32Array(examples.count * y.shape[1]));
    values.forEach((v, k) => out![k]!.set(v, start * outputs[k]!.shape[1]));
    tf.dispose([x, ...outputs]);
    onBatch?.(start + n);
  }
  return out ?? [];
}
