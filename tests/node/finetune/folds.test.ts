import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../../src/pipeline/data/random.js';
import { foldSplit, stratifiedFolds } from '../../../src/pipeline/finetune/folds.js';

/** How many examples of each fold (0..k−1) there are among `indices` (all when omitted). */
function foldSizes(folds: readonly number[], k: number, indices: readonly number[] = folds.map((_, i) => i)): number[] {
  const sizes = new Array<number>(k).fill(0);
  for (const i of indices) sizes[folds[i]!]!++;
  return sizes;
}

const spread = (sizes: readonly number[]): number => Math.max(...sizes) - Math.min(...sizes);

/** Labels with `counts[g]` examples of grade g, in a scrambled (but fixed) order. */
function labelsWithCounts(counts: readonly number[], seed = 7): number[] {
  const labels = counts.flatMap((count, grade) => new Array<number>(count).fill(grade));
  return new Rng(seed).shuffle(labels);
}

function assertStratified(labels: readonly number[], folds: readonly number[], k: number): void {
  assert.equal(folds.length, labels.length);
  for (const f of folds) assert.ok(Number.isInteger(f) && f >= 0 && f < k, `fold ${f} outside 0..${k - 1}`);
  assert.ok(spread(foldSizes(folds, k)) <= 1, `overall fold sizes ${foldSizes(folds, k).join(',')}`);
  for (const grade of new Set(labels)) {
    const members = labels.flatMap((l, i) => (l === grade ? [i] : []));
    const sizes = foldSizes(folds, k, members);
    assert.ok(spread(sizes) <= 1, `grade ${grade}: fold sizes ${sizes.join(',')}`);
  }
}

describe('stratifiedFolds', () => {
  it('gives every example a fold, each grade and the whole set spread over the folds within one example', () => {
    // An IDRiD-like imbalance: a big grade, two middling ones and two small ones.
    const labels = labelsWithCounts([134, 20, 136, 74, 49]);
    for (const k of [2, 3, 5, 10]) assertStratified(labels, stratifiedFolds(labels, k, 1), k);
  });

  it('keeps the balance on many random label sets, including grades smaller than k and k larger than the set', () => {
    const rng = new Rng(99);
    for (let trial = 0; trial < 200; trial++) {
      const n = rng.int(0, 60);
      const grades = rng.int(1, 5);
      const labels = Array.from({ length: n }, () => rng.int(0, grades - 1));
      const k = rng.int(2, 12);
      assertStratified(labels, stratifiedFolds(labels, k, trial), k);
    }
  });

  it('continues dealing across grades, so one-example grades do not all land in fold 0', () => {
    // Each grade has a single example: whatever the shuffle, the deal gives grade g fold g (grades in ascending order).
    assert.deepEqual(stratifiedFolds([0, 1, 2, 3, 4], 5, 3), [0, 1, 2, 3, 4]);
    assert.deepEqual(stratifiedFolds([4, 3, 2, 1, 0], 5, 3), [4, 3, 2, 1, 0]);
    // 2 examples of grade 0 take folds 0 and 1; grade 1's single example comes next (fold 2), grade 4's after it.
    const folds = stratifiedFolds([4, 0, 1, 0], 5, 11);
    assert.deepEqual([folds[1], folds[3]].sort(), [0, 1]);
    assert.equal(folds[2], 2);
    assert.equal(folds[0], 3);
    // Seven photos in five grades over 3 folds: 3,2,2 — a per-grade restart at fold 0 would give 5,2,0.
    const many = stratifiedFolds([0, 1, 2, 3, 4, 0, 1], 3, 5);
    assert.deepEqual(foldSizes(many, 3), [3, 2, 2], many.join(','));
  });

  it('is deterministic for a seed, differs for another seed, and depends on nothing but its arguments', () => {
    const labels = labelsWithCounts([40, 10, 30, 15, 12]);
    const first = stratifiedFolds(labels, 5, 1);
    Math.random();
    assert.deepEqual(stratifiedFolds([...labels], 5, 1), first, 'same labels, k and seed: same folds');
    assert.notDeepEqual(stratifiedFolds(labels, 5, 2), first, 'another seed shuffles differently');
    assert.deepEqual(
      foldSizes(stratifiedFolds(labels, 5, 2), 5),
      foldSizes(first, 5),
      'but the fold sizes are the same',
    );
    // Seeds near each other still shuffle apart.
    const seen = new Set([1, 2, 3, 4, 5, 6].map((seed) => stratifiedFolds(labels, 5, seed).join(',')));
    assert.equal(seen.size, 6);
  });

  it('leaves its labels alone and handles an empty set', () => {
    const labels = Object.freeze(labelsWithCounts([5, 4, 3]));
    const copy = [...labels];
    stratifiedFolds(labels, 3, 1);
    assert.deepEqual([...labels], copy);
    assert.deepEqual(stratifiedFolds([], 5, 1), []);
  });

  it('refuses fewer than two folds or a non-integer count', () => {
    for (const k of [1, 0, -3, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => stratifiedFolds([0, 1, 2, 3], k, 1), RangeError, String(k));
    }
  });
});

describe('foldSplit', () => {
  it('splits a hand-made assignment into the fold and the rest, in index order', () => {
    assert.deepEqual(foldSplit([0, 1, 0, 2, 1], 0), { train: [1, 3, 4], test: [0, 2] });
    assert.deepEqual(foldSplit([0, 1, 0, 2, 1], 2), { train: [0, 1, 2, 4], test: [3] });
    assert.deepEqual(foldSplit([0, 1, 0, 2, 1], 3), { train: [0, 1, 2, 3, 4], test: [] });
  });

  it('partitions the examples for every fold, and the test sets together cover every example once', () => {
    const labels = labelsWithCounts([31, 9, 27, 14, 8]);
    const k = 5;
    const folds = stratifiedFolds(labels, k, 4);
    const tested: number[] = [];
    for (let f = 0; f < k; f++) {
      const { train, test } = foldSplit(folds, f);
      assert.equal(train.length + test.length, labels.length);
      const trainSet = new Set(train);
      assert.equal(trainSet.size, train.length, 'no duplicates in train');
      for (const i of test) assert.ok(!trainSet.has(i), `example ${i} in both`);
      assert.deepEqual(
        [...train, ...test].sort((a, b) => a - b),
        labels.map((_, i) => i),
      );
      for (const i of test) assert.equal(folds[i], f);
      for (const i of train) assert.notEqual(folds[i], f);
      tested.push(...test);
    }
    assert.deepEqual(
      tested.sort((a, b) => a - b),
      labels.map((_, i) => i),
    );
  });
});
