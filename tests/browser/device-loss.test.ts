import { expect } from '@open-wc/testing';
import { buildConfig } from '../../src/app/build-config.js';
import { InferenceService } from '../../src/app/inference-service.js';
import type { ModelPair, RuntimeName } from '../../src/shared/protocol.js';
import type { TestingRequestMap } from '../../workers/testing/test-protocol.js';
import { fixture, gradeParams, maxAbsDifference, MODELS_URL, tinyModels } from './worker-client.js';

/** Inference workers the page started: ORT's device losses are handled inside the one it has. */
let workersStarted = 0;

function startService(): InferenceService<TestingRequestMap> {
  workersStarted = 0;
  return new InferenceService<TestingRequestMap>({
    createWorker: () => (workersStarted++, new Worker(buildConfig.inferenceWorkerUrl, { type: 'module' })),
    tfjsWasmPath: buildConfig.tfjsWasmPath,
    ortWasmPath: buildConfig.ortWasmPath,
  });
}

describe('a lost WebGPU device', () => {
  let models: ModelPair;
  let service: InferenceService<TestingRequestMap> | undefined;
  const grade = () =>
    service!.grade(() => fixture('fundus.jpeg'), { modelsUrl: MODELS_URL, models, thumbnailMaxSide: 96 });

  before(async () => {
    models = await tinyModels('fp16');
  });
  afterEach(() => service?.stop());

  for (const runtime of ['tfjs', 'ort'] as RuntimeName[]) {
    for (const when of ['now', 'next-run'] as const) {
      const moment = when === 'now' ? 'between gradings' : 'during a grading';
      it(`moves ${runtime} to wasm when the device is lost ${moment}, and the grading still succeeds`, async () => {
        service = startService();
        await service.start({
          tfjs: runtime === 'tfjs' ? 'webgpu' : 'wasm',
          ort: runtime === 'ort' ? 'webgpu' : 'wasm',
        });
        const first = await grade();
        expect(first.variants[runtime].backend).to.equal('webgpu');

        expect(await service.request('simulate-device-loss', { runtime, when })).to.deep.equal({
          backend: 'webgpu',
          armed: true,
        });
        const result = await grade();
        const variant = result.variants[runtime];
        expect(variant.backend).to.equal('wasm');
        expect(variant.fallback).to.match(/(WebGPU device lost|GPU device was lost).*wasm/);
        expect(maxAbsDifference(variant.probabilities, first.variants[runtime].probabilities)).to.be.lessThan(1e-3);

        // Later gradings stay on wasm, and the model on the lost device was freed.
        const later = await grade();
        expect(later.variants[runtime].backend).to.equal('wasm');
        expect((await service.request('memory', {})).ort).to.deep.equal({ sessions: 1, liveTensors: 0 });
        // Even ORT cut off mid-run (its worker then replaced on wasm) did not cost the page a new worker.
        expect(workersStarted).to.equal(1);
      });
    }
  }

  it('is a no-op on a runtime that is not on WebGPU', async () => {
    service = startService();
    await service.start({ tfjs: 'wasm', ort: 'wasm' });
    await service.request('grade', gradeParams(await fixture('fundus.jpeg'), models));
    expect(await service.request('simulate-device-loss', { runtime: 'ort', when: 'now' })).to.deep.equal({
      backend: 'wasm',
      armed: false,
    });
  });
});
