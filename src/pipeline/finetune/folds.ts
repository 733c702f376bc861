import { hashSeed, Rng } from '../data/random.js';

/**
 * Stratified k-fold assignment: within each grade, examples are shuffled (deterministically for the
 * seed) and dealt round-robin over the folds, so every fold has each grade's share up to one
 * example. Returns the fold (0..k−1) of every example. IDRiD publishes no patient ids, so each
 * photo is its own case.
 */
export function stratifiedFolds(labels: readonly number[], k: number, seed: number): number[] {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`folds must be an integer ≥ 2, got ${k}`);
  const fold = new Array<number>(labels.length).fill(-1);
  const byLabel = new Map<number, number[]>();
  labels.forEach((label, i) => byLabel.set(label, [...(byLabel.get(label) ?? []), i]));
  // Deal each grade starting where the previous one stopped, so small grades do not all land in fold 0.
  let next = 0;
  for (const label of [...byLabel.keys()].sort((a, b) => a - b)) {
    const members = new Rng(hashSeed('folds', seed, label)).shuffle(byLabel.get(label)!);
    for (const i of members) fold[i] = next++ % k;
  }
  return fold;
}

/** Indices in fold `f` and the rest. */
export function foldSplit(folds: readonly number[], f: number): { train: number[]; test: number[] } {
  const train: number[] = [];
  const test: number[] = [];
  folds.forEach((g, i) => (g === f ? test : train).push(i));
  return { train, test };
}
