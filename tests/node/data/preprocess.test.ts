import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IMAGENET_MEAN, IMAGENET_STD, INPUT_SIZE } from '../../../src/shared/model-contract.js';
import { preprocessFundus, thumbnail, toNchwImagenet, toNhwcFloat32 } from '../../../src/shared/preprocess.js';
import { resampleRegion } from '../../../src/shared/resize.js';
import { discImage, filledImage } from './support/fixtures.js';

function pixel(rgb: { data: Uint8Array; width: number }, x: number, y: number): number[] {
  const p = (y * rgb.width + x) * 3;
  return [rgb.data[p]!, rgb.data[p + 1]!, rgb.data[p + 2]!];
}

describe('preprocessFundus', () => {
  it('crops the square around the disc and resizes it to INPUT_SIZE x INPUT_SIZE RGB', () => {
    const out = preprocessFundus(discImage({ width: 900, height: 600, cx: 470, cy: 300, radius: 280, channels: 4 }));
    assert.equal(out.fov.found, true);
    assert.equal(out.rgb.width, INPUT_SIZE);
    assert.equal(out.rgb.height, INPUT_SIZE);
    assert.equal(out.rgb.data.length, INPUT_SIZE * INPUT_SIZE * 3);
    // The disc fills the crop: its colour in the middle and along the axes, black in the corners.
    assert.deepEqual(pixel(out.rgb, 150, 150), [200, 90, 40]);
    assert.deepEqual(pixel(out.rgb, 5, 150), [200, 90, 40]);
    assert.deepEqual(pixel(out.rgb, 150, 294), [200, 90, 40]);
    assert.deepEqual(pixel(out.rgb, 2, 2), [0, 0, 0]);
    assert.deepEqual(pixel(out.rgb, 297, 297), [0, 0, 0]);
  });

  it('keeps a constant-colour disc exactly constant inside, and pads a clipped disc with black', () => {
    const out = preprocessFundus(discImage({ width: 1200, height: 700, cx: 600, cy: 350, radius: 500, inside: [123, 45, 67] }));
    assert.equal(out.fov.found, true);
    const { radius } = out.fov.circle;
    // About 45 rows at the top and bottom of the crop lie outside the photo (the disc reaches 150 px past each edge).
    const pad = ((radius - 350) / (2 * radius)) * INPUT_SIZE;
    assert.ok(pad > 40, `expected a black band, got ${pad} rows`);
    for (let y = 0; y < INPUT_SIZE; y++) {
      const edgeDistance = Math.min(y, INPUT_SIZE - 1 - y);
      for (let x = 0; x < INPUT_SIZE; x++) {
        const d = Math.hypot(x + 0.5 - 150, y + 0.5 - 150);
        if (edgeDistance + 1 < pad || d > 152) assert.deepEqual(pixel(out.rgb, x, y), [0, 0, 0], `(${x},${y})`);
        else if (edgeDistance > pad + 1 && d < 147) assert.deepEqual(pixel(out.rgb, x, y), [123, 45, 67], `(${x},${y})`);
      }
    }
  });

  it('gives identical bytes for RGB and RGBA input and on every run', () => {
    const rgb = discImage({ width: 640, height: 480, cx: 330, cy: 236, radius: 225, channels: 3 });
    const rgba = discImage({ width: 640, height: 480, cx: 330, cy: 236, radius: 225, channels: 4 });
    const a = preprocessFundus(rgb).rgb.data;
    assert.deepEqual(preprocessFundus(rgba).rgb.data, a);
    assert.deepEqual(preprocessFundus(rgb).rgb.data, a);
  });

  it('still returns a tensor (the centred square) when no retina is found', () => {
    const out = preprocessFundus(filledImage(400, 200, () => [0, 0, 0]));
    assert.equal(out.fov.found, false);
    assert.equal(out.rgb.data.length, INPUT_SIZE * INPUT_SIZE * 3);
  });
});

describe('resampleRegion', () => {
  it('averages areas exactly when shrinking', () => {
    const src = { data: Uint8Array.from([0, 0, 0, 10, 10, 10, 20, 20, 20, 30, 30, 30]), width: 2, height: 2, channels: 3 as const };
    assert.deepEqual([...resampleRegion(src, { x: 0, y: 0, width: 2, height: 2 }, 1, 1).data], [15, 15, 15]);
  });

  it('does not alias: a one-pixel checkerboard shrinks to mid grey, not to black and white', () => {
    const src = filledImage(950, 950, (x, y) => ((x + y) % 2 ? [255, 255, 255] : [0, 0, 0]));
    const out = resampleRegion(src, { x: 0, y: 0, width: 950, height: 950 }, 300, 300);
    for (const v of out.data) assert.ok(v > 100 && v < 155, `value ${v}`);
  });

  it('interpolates bilinearly when enlarging, with black beyond the edges', () => {
    const src = { data: Uint8Array.from([0, 0, 0, 200, 200, 200]), width: 2, height: 1, channels: 3 as const };
    const out = resampleRegion(src, { x: 0, y: 0, width: 2, height: 1 }, 4, 1);
    assert.deepEqual([...out.data].filter((_, i) => i % 3 === 0), [0, 50, 150, 150]);
  });

  it('makes thumbnails that keep the aspect ratio', () => {
    const thumb = thumbnail(filledImage(475, 317, () => [9, 9, 9]), 96);
    assert.deepEqual([thumb.width, thumb.height], [96, 64]);
    assert.ok(thumb.data.every((v) => v === 9));
  });
});

describe('tensor layouts', () => {
  const rgb = { data: Uint8Array.from([255, 0, 128, 10, 20, 30]), width: 2, height: 1 };

  it('toNhwcFloat32 keeps 0..255 values in HWC order, optionally at an offset of a batch', () => {
    assert.deepEqual([...toNhwcFloat32(rgb)], [255, 0, 128, 10, 20, 30]);
    const batch = new Float32Array(12);
    toNhwcFloat32(rgb, batch, 6);
    assert.deepEqual([...batch.subarray(6)], [255, 0, 128, 10, 20, 30]);
    assert.throws(() => toNhwcFloat32(rgb, batch, 8), RangeError);
  });

  it('toNchwImagenet writes planar channels of (v/255 - mean)/std', () => {
    const out = toNchwImagenet(rgb);
    const expected = [255, 10, 0, 20, 128, 30].map((v, i) => {
      const c = Math.floor(i / 2);
      return (v / 255 - IMAGENET_MEAN[c]!) / IMAGENET_STD[c]!;
    });
    assert.equal(out.length, 6);
    out.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) < 1e-6, `index ${i}: ${v} vs ${expected[i]}`));
    const batch = toNchwImagenet(rgb, new Float32Array(12), 6);
    assert.deepEqual([...batch.subarray(6)], [...out]);
  });
});
