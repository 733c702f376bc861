import * as tf from '@tensorflow/tfjs';

/**
 * Hands every kernel its own seeded Glorot-uniform initializer (Keras's default kernel init), so a
 * model built twice with the same seed has bit-identical weights. TF.js draws seeded random numbers
 * in plain JavaScript, so the result does not depend on the backend either.
 */
export class SeededInitializers {
  #next: number;

  /**
   * `stream` separates parts of a model that are also built on their own (the classifier head), so
   * they get the same initial weights either way.
   */
  constructor(seed: number, stream = 0) {
    if (!Number.isInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
    // Spread seeds and streams apart so seed 1's second kernel is not seed 2's first.
    this.#next = seed * 1_000_000 + stream * 10_000;
  }

  glorotUniform(): ReturnType<typeof tf.initializers.glorotUniform> {
    return tf.initializers.glorotUniform({ seed: this.#next++ });
  }
}
