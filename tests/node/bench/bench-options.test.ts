import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCli } from '../../../src/bench/cli-options.js';
import {
  BenchOptionsError,
  DEFAULT_BENCH_OPTIONS,
  normaliseBenchOptions,
} from '../../../src/shared/bench/bench-options.js';

describe('normaliseBenchOptions', () => {
  it('fills in the defaults, sorts batch sizes and drops duplicates', () => {
    const options = normaliseBenchOptions({ batches: [4, 1, 4], runtimes: ['ort', 'ort'] });
    assert.deepEqual(options.batches, [1, 4]);
    assert.deepEqual(options.runtimes, ['ort']);
    assert.equal(options.runs, DEFAULT_BENCH_OPTIONS.runs);
  });

  it('names the field that is wrong', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ runs: -1 }, /runs must be an integer ≥ 0/],
      [{ batches: [0] }, /batch must be an integer ≥ 1/],
      [{ backends: ['webgl2'] }, /backends: unknown value "webgl2"/],
      [{ weights: [] }, /weights must be a non-empty list/],
      [{ threads: [0] }, /threads must be an integer ≥ 1/],
      [{ ortSessionOptions: { graphOptimizationLevel: 'max' } }, /ortSessionOptions.graphOptimizationLevel/],
      [{ ortSessionOptions: { intraOpNumThreads: 2 } }, /ortSessionOptions.intraOpNumThreads/],
      [{ tfjsFlags: { WEBGL_PACK: null } }, /tfjsFlags.WEBGL_PACK/],
    ];
    for (const [partial, message] of cases)
      assert.throws(
        () => normaliseBenchOptions(partial),
        (e: unknown) => e instanceof BenchOptionsError && message.test(e.message),
      );
  });
});

describe('parseCli', () => {
  it('--quick: the tiny model, 3 runs, 1 warm-up, wasm only, the short training check', () => {
    const command = parseCli(['--quick']);
    assert.equal(command.kind, 'run');
    if (command.kind !== 'run') return;
    assert.equal(command.options.model, 'tiny');
    assert.equal(command.options.runs, 3);
    assert.equal(command.options.warmup, 1);
    assert.deepEqual(command.options.backends, ['wasm']);
    assert.equal(command.training, 'quick');
    // The CLI's Chromium answers memory measurements at once, so it measures by default.
    assert.equal(command.options.measureMemory, true);
  });

  it('lets explicit options win over --quick, and reads lists, session options and flags', () => {
    const command = parseCli([
      '--quick',
      '--runs',
      '5',
      '--backend',
      'wasm,webgl',
      '--runtime',
      'tfjs,native',
      '--threads',
      '1,all',
      '--batch',
      '1',
      '--ort-option',
      'enableMemPattern=false',
      '--ort-option',
      'graphOptimizationLevel=basic',
      '--tfjs-flag',
      'WEBGL_PACK=false',
      '--tfjs-flag',
      'WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=30',
      '--no-memory',
      '--no-training',
      '--no-build',
      '--model-dir',
      'x',
      '--out',
      'o',
    ]);
    assert.equal(command.kind, 'run');
    if (command.kind !== 'run') return;
    const { options } = command;
    assert.equal(options.runs, 5);
    assert.deepEqual(options.backends, ['wasm', 'webgl']);
    assert.deepEqual(options.runtimes, ['tfjs', 'ort-node']);
    assert.deepEqual(options.threads, [1, 'all']);
    assert.deepEqual(options.ortSessionOptions, { enableMemPattern: false, graphOptimizationLevel: 'basic' });
    assert.deepEqual(options.tfjsFlags, { WEBGL_PACK: false, WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE: 30 });
    assert.equal(options.measureMemory, false);
    assert.deepEqual([command.training, command.build, command.modelDir, command.out], ['none', false, 'x', 'o']);
  });

  it('--compare takes exactly two reports', () => {
    assert.deepEqual(parseCli(['--compare', 'a.json', 'b.json']), { kind: 'compare', a: 'a.json', b: 'b.json' });
    assert.throws(() => parseCli(['--compare', 'a.json']), /two JSON reports/);
  });

  it('rejects what it does not know', () => {
    assert.throws(() => parseCli(['--speed', 'fast']));
    assert.throws(() => parseCli(['--runs', 'many']), /--runs must be a non-negative integer/);
    assert.throws(() => parseCli(['--ort-option', 'enableMemPattern']), /KEY=VALUE/);
    assert.throws(() => parseCli(['stray']), /unexpected argument/);
  });
});
