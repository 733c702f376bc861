import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { reliability, writeReliabilityDiagram } from '../../../src/pipeline/evaluate/reliability.js';

test('bins hold their predictions, mean prediction and observed frequency', () => {
  const scores = [0.05, 0.08, 0.55, 0.52, 0.58, 0.95, 1];
  const positive = [false, false, true, false, true, true, true];
  const { bins } = reliability(scores, positive, 10);
  assert.deepEqual(
    bins.map((b) => [b.from, b.count]),
    [
      [0, 2],
      [0.5, 3],
      [0.9, 2],
    ],
  );
  assert.ok(Math.abs(bins[0]!.meanPredicted - 0.065) < 1e-12);
  assert.equal(bins[0]!.observed, 0);
  assert.ok(Math.abs(bins[1]!.observed - 2 / 3) < 1e-12);
  assert.equal(bins[2]!.observed, 1, 'a score of exactly 1 falls in the last bin');
});

test('the expected calibration error is zero when every bin is right and grows with the gap', () => {
  const calibrated = reliability([0.25, 0.25, 0.25, 0.25], [true, false, false, false], 4);
  assert.equal(calibrated.expectedCalibrationError, 0);
  const overconfident = reliability([0.95, 0.95, 0.95, 0.95], [true, false, true, false], 10);
  assert.ok(Math.abs(overconfident.expectedCalibrationError - 0.45) < 1e-12);
});

test('scores outside 0..1 and mismatched lengths are refused', () => {
  assert.throws(() => reliability([1.2], [true]), /not a probability/);
  assert.throws(() => reliability([0.2, 0.3], [true]), /2 scores for 1 outcomes/);
});

test('the diagram is written as a PNG', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fg-reliability-'));
  try {
    const path = join(dir, 'reliability.png');
    await writeReliabilityDiagram(path, reliability([0.1, 0.4, 0.8], [false, true, true]), 'test');
    assert.ok(existsSync(path));
    const meta = await sharp(path).metadata();
    assert.equal(meta.format, 'png');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
