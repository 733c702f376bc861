import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashSeed, Rng } from '../../../src/pipeline/data/random.js';

describe('Rng', () => {
  it('replays the same sequence for a seed and another for another seed', () => {
    const take = (seed: number): number[] => {
      const rng = new Rng(seed);
      return Array.from({ length: 5 }, () => rng.next());
    };
    assert.deepEqual(take(1), take(1));
    assert.notDeepEqual(take(1), take(2));
  });

  it('draws within its ranges with the expected moments', () => {
    const rng = new Rng(7);
    const ints = new Set<number>();
    let sum = 0;
    let sumSq = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform(2, 3);
      assert.ok(u >= 2 && u < 3);
      ints.add(rng.int(1, 4));
      const z = rng.normal(5, 2);
      sum += z;
      sumSq += z * z;
    }
    assert.deepEqual([...ints].sort(), [1, 2, 3, 4]);
    const mean = sum / n;
    assert.ok(Math.abs(mean - 5) < 0.05, `mean ${mean}`);
    assert.ok(Math.abs(Math.sqrt(sumSq / n - mean * mean) - 2) < 0.05);
  });

  it('shuffles into a permutation and picks by weight', () => {
    const rng = new Rng(3);
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = rng.shuffle([...items]);
    assert.notDeepEqual(shuffled, items);
    assert.deepEqual([...shuffled].sort((a, b) => a - b), items);
    const hits = [0, 0, 0];
    for (let i = 0; i < 3000; i++) hits[rng.weighted([1, 0, 2])]!++;
    assert.equal(hits[1], 0);
    assert.ok(hits[2]! > hits[0]! * 1.6);
  });

  it('derives distinct seeds from distinct parts', () => {
    assert.equal(hashSeed('image', 1, '3_left'), hashSeed('image', 1, '3_left'));
    assert.notEqual(hashSeed('image', 1, '3_left'), hashSeed('image', 1, '3_right'));
    assert.notEqual(hashSeed('a', 12), hashSeed('a1', 2));
  });
});
