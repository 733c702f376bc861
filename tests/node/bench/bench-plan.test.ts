import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normaliseBenchOptions } from '../../../src/shared/bench/bench-options.js';
import {
  chooseModelId,
  configKey,
  planBrowserConfigs,
  planNativeConfigs,
  resolveThreads,
} from '../../../src/shared/bench/bench-plan.js';
import type { ModelManifest, ModelManifestEntry } from '../../../src/shared/model-manifest.js';

const isolated = { cores: 8, multiThreaded: true };

describe('thread settings', () => {
  it('turns "all" into the core count and drops duplicates', () => {
    assert.deepEqual(resolveThreads([1, 'all', 8, 'auto'], isolated), [1, 8, 'auto']);
  });

  it('runs every count on one thread without cross-origin isolation', () => {
    assert.deepEqual(resolveThreads([1, 'all', 4], { cores: 8, multiThreaded: false }), [1]);
  });
});

describe('planBrowserConfigs', () => {
  it('measures each runtime on its backends: wasm per thread count, GPUs once; no ORT webgl', () => {
    const keys = planBrowserConfigs(normaliseBenchOptions({ weights: ['fp32'], threads: [1, 'all'] }), isolated).map(
      (c) => c.key,
    );
    assert.deepEqual(keys, [
      'ort/wasm/1t/fp32',
      'ort/wasm/8t/fp32',
      'ort/webgpu/fp32',
      'tfjs/wasm/1t/fp32',
      'tfjs/wasm/8t/fp32',
      'tfjs/webgpu/fp32',
      'tfjs/webgl/fp32',
    ]);
  });

  it('adds a wasm fp32 reference job when the options leave it out', () => {
    const configs = planBrowserConfigs(
      normaliseBenchOptions({ backends: ['webgl'], weights: ['fp16'], runtimes: ['tfjs'] }),
      isolated,
    );
    assert.deepEqual(
      configs.map((c) => [c.key, c.role]),
      [
        ['tfjs/wasm/8t/fp32', 'reference'],
        ['tfjs/webgl/fp16', 'measure'],
      ],
    );
  });

  it('names tuned configurations by their options, for the runtime they apply to', () => {
    const options = normaliseBenchOptions({
      backends: ['wasm'],
      threads: [2],
      weights: ['fp32'],
      ortSessionOptions: { graphOptimizationLevel: 'basic', enableMemPattern: false },
      tfjsFlags: { WEBGL_PACK: false },
    });
    assert.deepEqual(
      planBrowserConfigs(options, isolated).map((c) => c.key),
      ['ort/wasm/2t/fp32+enableMemPattern=false,graphOptimizationLevel=basic', 'tfjs/wasm/2t/fp32+WEBGL_PACK=false'],
    );
  });

  it('plans nothing for the browser when only the native runtime is asked for', () => {
    assert.deepEqual(planBrowserConfigs(normaliseBenchOptions({ runtimes: ['ort-node'] }), isolated), []);
  });
});

describe('planNativeConfigs', () => {
  it('runs onnxruntime-node per thread count and weight form on the cpu', () => {
    const keys = planNativeConfigs(normaliseBenchOptions({ threads: [1, 'all', 'auto'] }), 2).map((c) => c.key);
    assert.deepEqual(keys, [
      'ort-node/cpu/1t/fp32',
      'ort-node/cpu/2t/fp32',
      'ort-node/cpu/auto/fp32',
      'ort-node/cpu/1t/fp16',
      'ort-node/cpu/2t/fp16',
      'ort-node/cpu/auto/fp16',
    ]);
    assert.deepEqual(planNativeConfigs(normaliseBenchOptions({ runtimes: ['tfjs'] }), 2), []);
  });

  it('keys without threads for GPU backends', () => {
    assert.equal(configKey('tfjs', 'webgl', null, 'fp16'), 'tfjs/webgl/fp16');
  });
});

describe('chooseModelId', () => {
  const entry = (id: string) => ({ id }) as ModelManifestEntry;
  const manifest = { schemaVersion: 1, models: [entry('tiny'), entry('tiny'), entry('resnet50-dr')] } as ModelManifest;

  it('takes the model asked for, else the default, else the first listed', () => {
    assert.equal(chooseModelId(manifest, 'resnet50-dr'), 'resnet50-dr');
    assert.equal(chooseModelId({ ...manifest, defaultModel: 'resnet50-dr' }, null), 'resnet50-dr');
    assert.equal(chooseModelId(manifest, null), 'tiny');
  });

  it('names the models there are when the one asked for is missing', () => {
    assert.throws(
      () => chooseModelId(manifest, 'resnet50'),
      /model "resnet50" is not in the manifest \(it lists tiny, resnet50-dr\)/,
    );
  });
});
