import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeFloat16 } from '../../../src/pipeline/export/float16.js';
import { DIHEDRAL_VARIANTS } from '../../../src/pipeline/finetune/dihedral.js';
import type { PhotoFeatures } from '../../../src/pipeline/finetune/feature-store.js';
import { conv4Examples, pooledExamples } from '../../../src/pipeline/finetune/store-examples.js';
import type { Grade } from '../../../src/shared/grades.js';

const POOLED = 4;
const CONV4_SIZE = 2;
const CHANNELS = 3;
const CONV4 = CONV4_SIZE * CONV4_SIZE * CHANNELS;
const SENTINEL = -12345;

/**
 * Pooled value j of photo p's variant v: 1000·p + 10·v + j, so a loaded row says which photo and
 * variant it came from. Conv4 values (all exact in fp16): p + v/8 + j/64 − 2, negative for some.
 */
const pooledValue = (p: number, v: number, j: number) => 1000 * p + 10 * v + j;
const conv4Value = (p: number, v: number, j: number) => p + v / 8 + j / 64 - 2;

function photos(count: number): PhotoFeatures[] {
  return Array.from({ length: count }, (_, p) => {
    const pooled = new Float32Array(DIHEDRAL_VARIANTS * POOLED);
    const conv4 = new Float32Array(DIHEDRAL_VARIANTS * CONV4);
    for (let v = 0; v < DIHEDRAL_VARIANTS; v++) {
      for (let j = 0; j < POOLED; j++) pooled[v * POOLED + j] = pooledValue(p, v, j);
      for (let j = 0; j < CONV4; j++) conv4[v * CONV4 + j] = conv4Value(p, v, j);
    }
    return { pooled, conv4: encodeFloat16(conv4) };
  });
}

const LABELS: Grade[] = [0, 3, 4];

/** Which variant a loaded row is, checking that all of it is that variant of photo `p`. */
function variantOfRow(row: Float32Array, p: number, value: (p: number, v: number, j: number) => number): number {
  for (let v = 0; v < DIHEDRAL_VARIANTS; v++) {
    if (row.every((x, j) => x === value(p, v, j))) return v;
  }
  assert.fail(`row ${[...row].join(',')} is not one whole variant of photo ${p}`);
}

async function loadRow(
  examples: ReturnType<typeof pooledExamples>,
  index: number,
  width: number,
  augmentSeed?: number,
): Promise<Float32Array> {
  // Written at an offset into a larger buffer: the values around it must stay untouched.
  const out = new Float32Array(width + 5).fill(SENTINEL);
  await examples.load(index, out, 3, augmentSeed);
  assert.deepEqual(
    [...out.subarray(0, 3), ...out.subarray(3 + width)],
    [SENTINEL, SENTINEL, SENTINEL, SENTINEL, SENTINEL],
  );
  return out.slice(3, 3 + width);
}

for (const kind of ['pooled', 'conv4'] as const) {
  const width = kind === 'pooled' ? POOLED : CONV4;
  const value = kind === 'pooled' ? pooledValue : conv4Value;
  const make = () =>
    kind === 'pooled' ? pooledExamples(photos(3), LABELS) : conv4Examples(photos(3), LABELS, CONV4_SIZE, CHANNELS);

  describe(`${kind}Examples`, () => {
    it("reports the count, the labels and one example's shape", () => {
      const examples = make();
      assert.equal(examples.count, 3);
      assert.deepEqual([...examples.labels], LABELS);
      assert.deepEqual([...examples.inputShape], kind === 'pooled' ? [POOLED] : [CONV4_SIZE, CONV4_SIZE, CHANNELS]);
      assert.equal(
        examples.inputShape.reduce((a, b) => a * b, 1),
        width,
      );
    });

    it('loads variant 0 (the photo as the app sees it) without an augmentation seed', async () => {
      const examples = make();
      for (let p = 0; p < 3; p++) {
        const row = await loadRow(examples, p, width);
        assert.deepEqual(
          [...row],
          Array.from({ length: width }, (_, j) => value(p, 0, j)),
          `photo ${p}`,
        );
      }
    });

    it('loads one whole dihedral variant per augmentation seed, the same one again for the same seed', async () => {
      const examples = make();
      const hit = new Set<number>();
      for (let seed = 0; seed < 200; seed++) {
        const p = seed % 3;
        const v = variantOfRow(await loadRow(examples, p, width, seed), p, value);
        assert.equal(variantOfRow(await loadRow(examples, p, width, seed), p, value), v, `seed ${seed} again`);
        hit.add(v);
      }
      // 200 seeds over 8 variants: a fair choice misses one with probability ≈ 8·(7/8)^200 ≈ 2·10⁻¹¹.
      assert.deepEqual([...hit].sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
    });
  });
}

describe('conv4Examples fp16 decoding', () => {
  it('decodes the stored bits to float32, including values fp16 only approximates', async () => {
    const conv4 = new Float32Array(DIHEDRAL_VARIANTS * CONV4);
    // Variant 0: values with known binary16 results; the rest are filler.
    const wanted: Array<[number, number]> = [
      [0, 0],
      [1, 1],
      [-2.5, -2.5],
      [65504, 65504], // fp16's largest finite value
      [0.1, 0.0999755859375], // nearest binary16: 0x2E66 = 1638/16384
      [1 / 3, 0.333251953125], // 0x3555 = 1365/4096
      [2 ** -24, 2 ** -24], // the smallest subnormal
      [1.00048828125, 1], // 1 + 2^-11 is a tie: rounds to even, 1
      [-0.75, -0.75],
      [1024.5, 1024], // spacing is 1 above 1024; a tie to even
      [3.140625, 3.140625],
      [-1000, -1000],
    ];
    wanted.forEach(([input], j) => (conv4[j] = input));
    const photo: PhotoFeatures = { pooled: new Float32Array(DIHEDRAL_VARIANTS * POOLED), conv4: encodeFloat16(conv4) };
    const examples = conv4Examples([photo], [2], CONV4_SIZE, CHANNELS);
    const out = new Float32Array(CONV4);
    await examples.load(0, out, 0);
    assert.deepEqual(
      [...out],
      wanted.map(([, decoded]) => decoded),
    );
  });
});
