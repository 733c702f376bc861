import { expect } from '@open-wc/testing';
import type { GradeProgress, ModelLoadProgress, ModelPair } from '../../src/shared/protocol.js';
import { screeningOutcome } from '../../src/shared/screening-outcome.js';
import {
  fixture,
  gradeParams,
  initWorker,
  inspectParams,
  maxAbsDifference,
  MODELS_URL,
  rejectionOf,
  sum,
  tinyModels,
  type TestClient,
} from './worker-client.js';

describe('grading in the inference worker (tiny model)', () => {
  let client: TestClient;
  let models: ModelPair;
  let wasmProbabilities: { tfjs: number[]; ort: number[] };

  before(async () => {
    models = await tinyModels('fp16');
    ({ client } = await initWorker('wasm', 'wasm'));
  });
  after(() => client.terminate());

  it('downloads both variants once, reporting bytes, then warms them up', async () => {
    const events: ModelLoadProgress[] = [];
    const result = await client.request(
      'load-models',
      { modelsUrl: MODELS_URL, models },
      { onProgress: (p) => events.push(p) },
    );
    const totalBytes = sum([...models.tfjs.files, ...models.ort.files].map((f) => f.bytes));
    const downloads = events.filter((e) => e.stage === 'download');
    expect(downloads.length).to.be.greaterThan(0);
    expect(downloads.every((e) => e.totalBytes === totalBytes)).to.equal(true);
    expect(downloads.map((e) => e.loadedBytes)).to.deep.equal(
      [...downloads.map((e) => e.loadedBytes)].sort((a, b) => a - b),
    );
    expect(downloads.at(-1)!.loadedBytes).to.equal(totalBytes);
    expect(events.filter((e) => e.stage === 'warm-up').map((e) => e.runtime)).to.have.members(['tfjs', 'ort']);
    expect(result.tfjs).to.include({ loaded: true, backend: 'wasm', model: 'tiny/2/tfjs-fp16' });
    expect(result.ort).to.include({ loaded: true, backend: 'wasm', model: 'tiny/2/onnx-fp16' });

    const again = await client.request('load-models', { modelsUrl: MODELS_URL, models });
    expect([again.tfjs.loaded, again.ort.loaded]).to.deep.equal([false, false]);
  });

  it('grades a synthetic fundus photo with both variants, which agree', async () => {
    const stages: string[] = [];
    const image = await fixture('fundus.jpeg');
    const result = await client.request('grade', gradeParams(image, models), {
      transfer: [image],
      onProgress: (p: GradeProgress) => stages.push(p.stage),
    });
    expect(image.byteLength, 'the photo bytes were transferred, not copied').to.equal(0);
    expect(stages).to.deep.equal(['decode', 'preprocess', 'models']);
    expect(result.fov.found).to.equal(true);
    expect(result.image).to.deep.include({ format: 'jpeg', width: 420, height: 315 });
    for (const variant of [result.variants.tfjs, result.variants.ort]) {
      expect(variant.backend).to.equal('wasm');
      expect(variant.probabilities).to.have.length(5);
      expect(sum(variant.probabilities)).to.be.closeTo(1, 1e-4);
      expect(variant.grade).to.equal(variant.probabilities.indexOf(Math.max(...variant.probabilities)));
      expect(variant.ms).to.be.greaterThan(0);
    }
    // Same weights in both formats: any difference is the runtime's arithmetic.
    expect(maxAbsDifference(result.variants.tfjs.probabilities, result.variants.ort.probabilities)).to.be.lessThan(
      1e-4,
    );
    expect(result.model).to.deep.equal({
      id: 'tiny',
      version: '2',
      name: models.tfjs.name,
      weights: 'fp16',
      demo: true,
    });
    // The referral decision comes with the result, decided by the worker from both variants.
    expect(result.outcome).to.deep.equal(
      screeningOutcome(result.variants.tfjs, result.variants.ort, result.model.referralThreshold),
    );
    expect(result.thumbnail.mimeType).to.equal('image/jpeg');
    expect(Math.max(result.thumbnail.width, result.thumbnail.height)).to.equal(96);
    expect(result.thumbnail.bytes.byteLength).to.be.greaterThan(500);
    wasmProbabilities = { tfjs: result.variants.tfjs.probabilities, ort: result.variants.ort.probabilities };
  });

  it('leaks no tensor or ONNX session over repeated gradings', async () => {
    await client.request('grade', gradeParams(await fixture('fundus.jpeg'), models));
    const before = await client.request('memory', {});
    for (let i = 0; i < 3; i++) await client.request('grade', gradeParams(await fixture('fundus.jpeg'), models));
    const after = await client.request('memory', {});
    expect(after.tfjs.numTensors).to.equal(before.tfjs.numTensors);
    expect(after.tfjs.numBytes).to.equal(before.tfjs.numBytes);
    expect(after.ort).to.deep.equal({ sessions: 1, liveTensors: 0 });
  });

  it('cancels between stages and stays usable', async () => {
    const controller = new AbortController();
    const pending = client.request('grade', gradeParams(await fixture('fundus.jpeg'), models), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.stage === 'preprocess') controller.abort();
      },
    });
    expect((await rejectionOf(pending)).code).to.equal('aborted');
    const result = await client.request('grade', gradeParams(await fixture('fundus.jpeg'), models));
    expect(result.variants.tfjs.probabilities).to.deep.equal(wasmProbabilities.tfjs);
  });

  it('unloads both variants and frees their tensors and session', async () => {
    const before = await client.request('memory', {});
    expect(await client.request('unload-models', {})).to.deep.equal({ released: 2 });
    const after = await client.request('memory', {});
    expect(before.tfjs.numTensors).to.be.greaterThan(0);
    expect(after.tfjs.numTensors).to.equal(0);
    expect(after.ort).to.deep.equal({ sessions: 0, liveTensors: 0 });
    // The next grading loads them again.
    const result = await client.request('grade', gradeParams(await fixture('fundus.jpeg'), models));
    expect(result.variants.tfjs.probabilities).to.deep.equal(wasmProbabilities.tfjs);
  });

  it('previews a chosen photo with its field of view, without the models', async () => {
    const image = await fixture('fundus.jpeg');
    const result = await client.request('inspect', inspectParams(image, 200), { transfer: [image] });
    expect(result.fov).to.include({ found: true, verdict: 'ok' });
    expect(result.fov.circle.cx).to.be.closeTo(0.5, 0.05);
    expect(result.fov.circle.radius).to.be.within(0.25, 0.55);
    expect([result.preview.width, result.preview.height]).to.deep.equal([200, 150]);
    expect(result.preview.data.byteLength).to.equal(200 * 150 * 4);
  });

  it('refuses a model file whose sha256 does not match the manifest, and caches nothing as good', async () => {
    const tampered: ModelPair = {
      ...models,
      ort: {
        ...models.ort,
        version: '1-tampered',
        files: models.ort.files.map((f) => ({ ...f, sha256: '0'.repeat(64) })),
      },
      tfjs: { ...models.tfjs, version: '1-tampered' },
    };
    const error = await rejectionOf(client.request('load-models', { modelsUrl: MODELS_URL, models: tampered }));
    expect(error.code).to.equal('model-integrity');
    expect(error.message).to.contain('sha256');
    const result = await client.request('grade', gradeParams(await fixture('fundus.jpeg'), models));
    expect(result.variants.ort.probabilities).to.deep.equal(wasmProbabilities.ort);
  });

  it('says which model file is missing', async () => {
    const path = 'tiny/9/onnx-fp16/model.onnx';
    const missing: ModelPair = {
      tfjs: { ...models.tfjs, version: '9' },
      ort: { ...models.ort, version: '9', entry: path, files: [{ path, sha256: '0'.repeat(64), bytes: 10 }] },
    };
    const error = await rejectionOf(client.request('load-models', { modelsUrl: MODELS_URL, models: missing }));
    expect(error.code).to.equal('model-missing');
    expect(error.message).to.contain(path);
  });

  it('grades on WebGPU (software adapter) with the same probabilities as wasm', async () => {
    const gpu = await initWorker('webgpu', 'webgpu');
    try {
      const result = await gpu.client.request('grade', gradeParams(await fixture('fundus.jpeg'), models));
      expect(result.variants.tfjs.backend).to.equal('webgpu');
      expect(result.variants.ort.backend).to.equal('webgpu');
      expect(maxAbsDifference(result.variants.tfjs.probabilities, wasmProbabilities.tfjs)).to.be.lessThan(1e-3);
      expect(maxAbsDifference(result.variants.ort.probabilities, wasmProbabilities.ort)).to.be.lessThan(1e-3);
    } finally {
      gpu.client.terminate();
    }
  });
});
