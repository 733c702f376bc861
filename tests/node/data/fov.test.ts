import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../../src/pipeline/data/random.js';
import { renderScene } from '../../../src/pipeline/data/synthetic/render.js';
import { sampleScene } from '../../../src/pipeline/data/synthetic/scene.js';
import type { Grade } from '../../../src/shared/grades.js';
import { detectFieldOfView } from '../../../src/shared/fov.js';
import { discImage, filledImage } from './support/fixtures.js';

/** Centre and radius error relative to the true radius. */
function relativeError(found: { cx: number; cy: number; radius: number }, truth: { cx: number; cy: number; radius: number }): number {
  return Math.max(Math.abs(found.radius - truth.radius), Math.hypot(found.cx - truth.cx, found.cy - truth.cy)) / truth.radius;
}

describe('detectFieldOfView', () => {
  it('finds the disc of synthetic fundus photos (clipped or not) within 2 % of the radius', () => {
    let clipped = 0;
    for (let seed = 0; seed < 12; seed++) {
      const scene = sampleScene({ seed, grade: (seed % 5) as Grade, eye: seed % 2 ? 'left' : 'right' });
      const width = seed % 2 ? 256 : 384;
      const image = renderScene(scene, width);
      const fov = detectFieldOfView({ ...image, channels: 3 });
      const truth = { cx: scene.fov.cx * width, cy: scene.fov.cy * width, radius: scene.fov.radius * width };
      if (truth.radius > image.height / 2 + 1) clipped++;
      assert.equal(fov.found, true, `seed ${seed}: ${fov.verdict}`);
      assert.ok(fov.confidence > 0.95, `seed ${seed}: confidence ${fov.confidence}`);
      assert.ok(relativeError(fov.circle, truth) < 0.02, `seed ${seed}: ${JSON.stringify(fov.circle)} vs ${JSON.stringify(truth)}`);
    }
    assert.ok(clipped >= 3, `expected several clipped discs among the samples, got ${clipped}`);
  });

  it('measures a disc clipped at top and bottom from its left and right edges, and boxes the full circle', () => {
    const image = discImage({ width: 600, height: 400, cx: 310, cy: 195, radius: 260, channels: 4 });
    const fov = detectFieldOfView(image);
    assert.equal(fov.found, true);
    assert.ok(relativeError(fov.circle, { cx: 310, cy: 195, radius: 260 }) < 0.01, JSON.stringify(fov.circle));
    assert.ok(fov.box.y < 0 && fov.box.y + fov.box.height > 400, 'box reaches past the clipped edges');
    assert.ok(Math.abs(fov.box.width - 2 * fov.circle.radius) < 1e-9 && fov.box.width === fov.box.height);
  });

  it('copes with a dim, noisy photo with a blue cast', () => {
    const rng = new Rng(5);
    const image = filledImage(480, 360, (x, y) =>
      Math.hypot(x + 0.5 - 240, y + 0.5 - 180) < 170
        ? [30 + rng.normal(0, 8), 14 + rng.normal(0, 5), 45 + rng.normal(0, 8)].map((v) => Math.max(0, Math.round(v))) as [number, number, number]
        : [rng.int(0, 8), rng.int(0, 8), rng.int(0, 8)],
    );
    const fov = detectFieldOfView(image);
    assert.equal(fov.found, true, fov.verdict);
    assert.ok(relativeError(fov.circle, { cx: 240, cy: 180, radius: 170 }) < 0.02, JSON.stringify(fov.circle));
  });

  it('rejects images without a retina, saying why', () => {
    const rng = new Rng(9);
    const cases: Array<[string, ReturnType<typeof filledImage>, string]> = [
      ['all black', filledImage(300, 200, () => [0, 0, 0]), 'too-dark'],
      ['black with sensor noise', filledImage(300, 200, () => [rng.int(0, 10), rng.int(0, 10), rng.int(0, 10)]), 'too-dark'],
      ['uniform grey', filledImage(300, 200, () => [128, 128, 128]), 'uniform'],
      ['noisy grey', filledImage(300, 200, () => [128 + rng.int(-20, 20), 128 + rng.int(-20, 20), 128 + rng.int(-20, 20)]), 'uniform'],
      ['horizontal gradient', filledImage(300, 200, (x) => [x * 0.85, x * 0.85, x * 0.85]), 'no-edge'],
      [
        'photo of a printed page',
        filledImage(400, 300, (x, y) => {
          const page = x > 100 && x < 300 && y > 30 && y < 270;
          const line = page && y % 14 < 3 && x > 115 && x < 285;
          return page ? (line ? [30, 30, 30] : [236, 236, 230]) : [12, 10, 8];
        }),
        'not-circular',
      ],
      ['a small bright spot', discImage({ width: 400, height: 300, cx: 200, cy: 150, radius: 30 }), 'disc-too-small'],
      ['an image under 64 px', discImage({ width: 60, height: 48, cx: 30, cy: 24, radius: 22 }), 'too-small'],
    ];
    for (const [name, image, verdict] of cases) {
      const fov = detectFieldOfView(image);
      assert.equal(fov.found, false, name);
      assert.equal(fov.verdict, verdict, name);
      // The fallback is still a usable crop: the centred square.
      assert.deepEqual(fov.circle, { cx: image.width / 2, cy: image.height / 2, radius: Math.min(image.width, image.height) / 2 }, name);
    }
  });

  it('rejects a buffer whose size does not match its dimensions', () => {
    assert.throws(() => detectFieldOfView({ data: new Uint8Array(10), width: 4, height: 4, channels: 3 }), /needs 48/);
  });
});
