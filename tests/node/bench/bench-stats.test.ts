import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  agreement,
  applyAgreement,
  chooseReference,
  isFlat,
  latencyStats,
  percentile,
} from '../../../src/shared/bench/bench-stats.js';
import { result, snapshot } from './support/fixtures.js';

describe('latency statistics', () => {
  it('uses nearest-rank percentiles, so every percentile is a measured value', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    assert.equal(percentile(sorted, 50), 5);
    assert.equal(percentile(sorted, 90), 9);
    assert.equal(percentile(sorted, 99), 10);
    assert.equal(percentile([7], 50), 7);
    assert.throws(() => percentile([], 50), RangeError);
  });

  it('summarises unsorted samples without reordering them', () => {
    const samples = [30, 10, 20, 40];
    assert.deepEqual(latencyStats(samples), { min: 10, p50: 20, p90: 40, p99: 40, mean: 25, max: 40 });
    assert.deepEqual(samples, [30, 10, 20, 40]);
    assert.equal(latencyStats([]), null);
  });
});

describe('leak check', () => {
  it('is flat when tensors and memory stay put (within the tolerance)', () => {
    assert.equal(isFlat(snapshot({ tensors: 5, uaBytes: 100e6 }), snapshot({ tensors: 5, uaBytes: 101e6 })), true);
  });

  it('fails on one tensor left behind, or memory growing past 2 MiB', () => {
    assert.equal(isFlat(snapshot({ tensors: 5 }), snapshot({ tensors: 6 })), false);
    assert.equal(isFlat(snapshot({ wasmHeapBytes: 64e6 }), snapshot({ wasmHeapBytes: 80e6 })), false);
  });

  it('says nothing when nothing was measurable', () => {
    assert.equal(isFlat(snapshot(), snapshot()), null);
  });
});

describe('agreement with the reference', () => {
  it('compares only the fixed inputs both ran: max |Δp| and top-1', () => {
    const reference = result({ runtime: 'ort', backend: 'wasm', weights: 'fp32' });
    const outputs = [[0.65, 0.15, 0.1, 0.05, 0.05], [0.1, 0.2, 0.5, 0.1, 0.1], [0.2, 0.2, 0.2, 0.2, 0.2], null];
    const a = agreement(outputs, reference)!;
    assert.equal(a.reference, reference.key);
    assert.equal(a.images, 2);
    assert.equal(a.top1Agree, 1);
    assert.ok(Math.abs(a.maxAbsDiff - 0.4) < 1e-12);
    assert.equal(agreement([null, null, [1, 0, 0, 0, 0], null], reference), null);
  });

  it('takes ORT wasm fp32 with the most threads as the reference, and never compares it with itself', () => {
    const results = [
      result({ runtime: 'tfjs', backend: 'wasm', weights: 'fp32', threads: 2 }),
      result({ runtime: 'ort', backend: 'wasm', weights: 'fp32', threads: 1 }),
      result({ runtime: 'ort', backend: 'wasm', weights: 'fp32', threads: 2 }),
      result({ runtime: 'ort', backend: 'wasm', weights: 'fp16', threads: 2 }),
      result({ runtime: 'ort', backend: 'wasm', weights: 'fp32', threads: 4, status: 'failed', error: 'x' }),
    ];
    assert.equal(chooseReference(results)?.key, 'ort/wasm/2t/fp32');
    assert.equal(applyAgreement(results), 'ort/wasm/2t/fp32');
    assert.equal(results[2]!.agreement, null);
    assert.equal(results[0]!.agreement?.reference, 'ort/wasm/2t/fp32');
    assert.equal(results[0]!.agreement?.maxAbsDiff, 0);
  });

  it('falls back to TF.js wasm fp32, and to no reference at all', () => {
    const tfjs = result({ runtime: 'tfjs', backend: 'wasm', weights: 'fp32' });
    const gpu = result({ runtime: 'ort', backend: 'webgpu', weights: 'fp32' });
    assert.equal(chooseReference([gpu, tfjs])?.key, tfjs.key);
    assert.equal(applyAgreement([gpu]), null);
    assert.equal(gpu.agreement, null);
  });
});
