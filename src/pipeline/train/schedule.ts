import { hashSeed, Rng } from '../data/random.js';

/**
 * Every random choice in training is a pure function of (seed, epoch[, example]): the shuffle of an
 * epoch and each example's augmentation. So the "RNG state" a checkpoint needs is just the seed and
 * the position (epoch, step), and a resumed run draws exactly what an uninterrupted one would.
 */

/** The example order of one epoch. */
export function epochOrder(seed: number, epoch: number, count: number): number[] {
  return new Rng(hashSeed('shuffle', seed, epoch)).shuffle(Array.from({ length: count }, (_, i) => i));
}

/** Seed of example `index`'s augmentation in `epoch`. */
export function augmentationSeed(seed: number, epoch: number, index: number): number {
  return hashSeed('augment', seed, epoch, index);
}

/** Splits a step's examples into micro-batches of at most `size`. */
export function microBatches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function stepsPerEpoch(count: number, batchSize: number): number {
  return Math.ceil(count / batchSize);
}
