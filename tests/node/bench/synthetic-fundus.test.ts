import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXED_INPUT_COUNT, runInputIndices, syntheticFundus } from '../../../src/shared/bench/synthetic-fundus.js';

describe('syntheticFundus', () => {
  it('gives the same bytes every time for the same index', () => {
    assert.deepEqual(syntheticFundus(2, 64).data, syntheticFundus(2, 64).data);
  });

  it('draws a bright disc on black, different for each index', () => {
    const image = syntheticFundus(1, 100);
    assert.equal(image.data.length, 100 * 100 * 3);
    const pixel = (x: number, y: number) => Array.from(image.data.subarray((y * 100 + x) * 3, (y * 100 + x) * 3 + 3));
    assert.deepEqual(pixel(0, 0), [0, 0, 0]);
    assert.deepEqual(pixel(99, 99), [0, 0, 0]);
    const [r, g, b] = pixel(30, 50);
    assert.ok(r! > 100 && r! > g! && g! > b!, `a reddish fundus at (30, 50), got ${[r, g, b].join(',')}`);
    assert.notDeepEqual(syntheticFundus(0, 100).data, image.data);
  });

  it('cycles runs through the fixed inputs', () => {
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((run) => runInputIndices(run, 1)),
      [[0], [1], [2], [3], [0]],
    );
    assert.deepEqual(runInputIndices(1, 4), [0, 1, 2, 3]);
    assert.deepEqual(runInputIndices(1, 3), [3, 0, 1]);
    assert.equal(FIXED_INPUT_COUNT, 4);
  });
});
