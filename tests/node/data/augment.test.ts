import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyAugmentation, augment, IDENTITY, sampleAugmentation } from '../../../src/pipeline/data/augment.js';
import { preprocessFundus } from '../../../src/shared/preprocess.js';
import type { RgbImage } from '../../../src/shared/pixels.js';
import { renderScene } from '../../../src/pipeline/data/synthetic/render.js';
import { sampleScene } from '../../../src/pipeline/data/synthetic/scene.js';

const rendered = renderScene(sampleScene({ seed: 3, grade: 2, eye: 'right' }), 320);
const fundus: RgbImage = preprocessFundus({ ...rendered, channels: 3 }).rgb;

function at(image: RgbImage, x: number, y: number): number[] {
  const p = (y * image.width + x) * 3;
  return [...image.data.subarray(p, p + 3)];
}

describe('augmentation', () => {
  it('is deterministic for a seed, differs between seeds and keeps the shape', () => {
    const a = augment(fundus, 12);
    assert.deepEqual([a.width, a.height, a.data.length], [fundus.width, fundus.height, fundus.data.length]);
    assert.deepEqual(augment(fundus, 12).data, a.data);
    assert.notDeepEqual(augment(fundus, 13).data, a.data);
    assert.notDeepEqual(a.data, fundus.data);
  });

  it('leaves the image untouched with identity parameters and flips exactly', () => {
    assert.deepEqual(applyAugmentation(fundus, IDENTITY).data, fundus.data);
    const mirrored = applyAugmentation(fundus, { ...IDENTITY, flipX: true });
    const flipped = applyAugmentation(fundus, { ...IDENTITY, flipY: true });
    for (const [x, y] of [[10, 20], [150, 150], [299, 7]] as const) {
      assert.deepEqual(at(mirrored, x, y), at(fundus, 299 - x, y));
      assert.deepEqual(at(flipped, x, y), at(fundus, x, 299 - y));
    }
  });

  it('rotates a quarter turn exactly and keeps the black surround black', () => {
    const quarter = applyAugmentation(fundus, { ...IDENTITY, rotationRadians: Math.PI / 2 });
    // Output (x, y) samples the input at (y, 299 - x): a clockwise quarter turn.
    assert.deepEqual(at(quarter, 40, 100), at(fundus, 100, 259));
    const lit = applyAugmentation(fundus, { ...IDENTITY, rotationRadians: 0.7, gain: 1.15, gamma: 0.87 });
    assert.deepEqual(at(lit, 0, 0), [0, 0, 0]);
    assert.deepEqual(at(lit, 299, 299), [0, 0, 0]);
  });

  it('draws parameters within the requested ranges', () => {
    for (let seed = 0; seed < 50; seed++) {
      const p = sampleAugmentation(seed, { maxRotationDegrees: 10, brightness: 0.1, contrast: 0.1, flips: false });
      assert.ok(Math.abs(p.rotationRadians) <= (10 * Math.PI) / 180);
      assert.ok(p.gain >= 0.9 && p.gain <= 1.1);
      assert.ok(p.gamma >= Math.exp(-0.1) && p.gamma <= Math.exp(0.1));
      assert.ok(!p.flipX && !p.flipY);
    }
  });
});
