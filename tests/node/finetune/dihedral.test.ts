import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dihedral, DIHEDRAL_VARIANTS } from '../../../src/pipeline/finetune/dihedral.js';
import type { RgbImage } from '../../../src/shared/pixels.js';

/**
 * An n×n image whose pixel (x, y) is (x, y, 100 + 10·y + x + 1): the R and G channels say where a
 * pixel came from, and B makes every triple unique (and would expose channels read from different
 * pixels).
 */
function coordinateImage(n: number): RgbImage {
  const data = new Uint8Array(n * n * 3);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) data.set([x, y, 100 + 10 * y + x + 1], (y * n + x) * 3);
  }
  return { data, width: n, height: n };
}

const pixel = (image: RgbImage, x: number, y: number): number[] => [
  ...image.data.subarray((y * image.width + x) * 3, (y * image.width + x) * 3 + 3),
];

/** Where output pixel (x, y) came from, read off a transformed coordinate image. */
const sourceOf = (image: RgbImage, x: number, y: number): [number, number] => {
  const [sx, sy] = pixel(image, x, y);
  return [sx!, sy!];
};

function triples(image: RgbImage): string[] {
  const out: string[] = [];
  for (let i = 0; i < image.data.length; i += 3) out.push(image.data.subarray(i, i + 3).join(','));
  return out.sort();
}

const key = (image: RgbImage): string => image.data.join(',');

// Independent reference transforms: "bit 0 mirrors columns, bit 1 mirrors rows, bit 2 transposes first".
function remap(image: RgbImage, source: (x: number, y: number) => [number, number]): RgbImage {
  const n = image.width;
  const data = new Uint8Array(image.data.length);
  for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) data.set(pixel(image, ...source(x, y)), (y * n + x) * 3);
  return { data, width: n, height: n };
}
const mirrorColumns = (image: RgbImage) => remap(image, (x, y) => [image.width - 1 - x, y]);
const mirrorRows = (image: RgbImage) => remap(image, (x, y) => [x, image.width - 1 - y]);
const transpose = (image: RgbImage) => remap(image, (x, y) => [y, x]);
function reference(image: RgbImage, d: number): RgbImage {
  let out = image;
  if (d & 4) out = transpose(out);
  if (d & 1) out = mirrorColumns(out);
  if (d & 2) out = mirrorRows(out);
  return out;
}

describe('dihedral', () => {
  it('has eight variants; variant 0 is the image itself', () => {
    assert.equal(DIHEDRAL_VARIANTS, 8);
    const image = coordinateImage(4);
    const before = key(image);
    const same = dihedral(image, 0);
    assert.equal(key(same), before);
    assert.equal(same.width, 4);
    assert.equal(same.height, 4);
  });

  it('gives eight distinct images of an asymmetric image, each a rearrangement of its whole pixels', () => {
    for (const n of [2, 3, 5]) {
      const image = coordinateImage(n);
      const variants = Array.from({ length: DIHEDRAL_VARIANTS }, (_, d) => dihedral(image, d));
      assert.equal(new Set(variants.map(key)).size, 8, `n = ${n}`);
      for (const [d, v] of variants.entries()) {
        assert.equal(v.width, n);
        assert.equal(v.height, n);
        assert.equal(v.data.length, n * n * 3);
        assert.deepEqual(triples(v), triples(image), `variant ${d} keeps every RGB triple together`);
      }
    }
  });

  it('matches the documented composition: transpose first, then mirror columns (bit 0) and rows (bit 1)', () => {
    const image = coordinateImage(5);
    for (let d = 0; d < DIHEDRAL_VARIANTS; d++)
      assert.equal(key(dihedral(image, d)), key(reference(image, d)), `variant ${d}`);
  });

  it("moves pixels as the square's symmetries do", () => {
    const n = 4;
    const image = coordinateImage(n);
    const cases: Array<[number, string, (x: number, y: number) => [number, number]]> = [
      [1, 'mirror left-right', (x, y) => [n - 1 - x, y]],
      [2, 'mirror top-bottom', (x, y) => [x, n - 1 - y]],
      [3, 'rotate 180°', (x, y) => [n - 1 - x, n - 1 - y]],
      [4, 'transpose', (x, y) => [y, x]],
    ];
    for (const [d, name, source] of cases) {
      const out = dihedral(image, d);
      for (let y = 0; y < n; y++)
        for (let x = 0; x < n; x++) assert.deepEqual(sourceOf(out, x, y), source(x, y), `${name}: output (${x}, ${y})`);
    }
    // Variant 7 is the anti-transpose: the other diagonal stays put.
    const anti = dihedral(image, 7);
    for (let i = 0; i < n; i++) assert.deepEqual(sourceOf(anti, i, n - 1 - i), [i, n - 1 - i]);
  });

  it('composes like the dihedral group: mirrors and transposes undo themselves, 5 and 6 are opposite quarter turns', () => {
    const image = coordinateImage(5);
    const original = key(image);
    for (const d of [1, 2, 3, 4, 7]) assert.equal(key(dihedral(dihedral(image, d), d)), original, `variant ${d} twice`);
    assert.equal(key(dihedral(dihedral(image, 5), 6)), original, '5 then 6');
    assert.equal(key(dihedral(dihedral(image, 6), 5)), original, '6 then 5');
    const quarter = (img: RgbImage) => dihedral(img, 5);
    assert.equal(key(quarter(quarter(image))), key(dihedral(image, 3)), 'two quarter turns are a half turn');
    assert.notEqual(key(quarter(quarter(quarter(image)))), original);
    assert.equal(key(quarter(quarter(quarter(quarter(image))))), original, 'four quarter turns are the identity');
    assert.equal(key(dihedral(dihedral(image, 1), 2)), key(dihedral(image, 3)), 'both mirrors make the half turn');
    // Closure: any two variants in a row are again one of the eight.
    const all = new Set(Array.from({ length: 8 }, (_, d) => key(dihedral(image, d))));
    for (let a = 0; a < 8; a++)
      for (let b = 0; b < 8; b++) assert.ok(all.has(key(dihedral(dihedral(image, a), b))), `${a} then ${b}`);
  });

  it('does not change its input', () => {
    const image = coordinateImage(3);
    const before = key(image);
    for (let d = 1; d < 8; d++) {
      const out = dihedral(image, d);
      assert.notEqual(out.data, image.data, `variant ${d} writes a new buffer`);
      assert.equal(key(image), before);
    }
  });

  it('refuses variants outside 0..7 and images that are not square', () => {
    const image = coordinateImage(3);
    for (const d of [-1, 8, 1.5, Number.NaN, 100]) assert.throws(() => dihedral(image, d), RangeError, String(d));
    const wide: RgbImage = { data: new Uint8Array(3 * 2 * 3), width: 3, height: 2 };
    for (const d of [0, 1, 4, 7]) assert.throws(() => dihedral(wide, d), /square/, `variant ${d}`);
  });
});
