// ONNX Runtime in its own worker, nested in the inference worker: both variants grade at once, and a
// crash of ORT's worker costs the request in flight, not the inference worker.
import { expect } from '@open-wc/testing';
import { pickModels } from '../../src/app/model-catalog.js';
import type { ModelPair, VariantResult } from '../../src/shared/protocol.js';
import { fixture, gradeParams, initWorker, loadManifest, tinyModels, type TestClient } from './worker-client.js';

/** The two runs' [start, end] intervals intersect. */
function overlap(a: VariantResult, b: VariantResult): number {
  return Math.min(a.endedAt, b.endedAt) - Math.max(a.startedAt, b.startedAt);
}

describe('ONNX Runtime in its own worker', () => {
  let client: TestClient | undefined;
  afterEach(() => client?.terminate());

  // The tiny model runs in a millisecond or two: too short to tell "at once" from "one after the other".
  it('runs both variants of the ResNet50 at the same time in one grading', async function () {
    this.timeout(480000);
    const manifest = await loadManifest();
    const entry = manifest.models.find((m) => m.id.startsWith('resnet50'));
    if (!entry) {
      console.log('skipped: models/manifest.json lists no ResNet50');
      this.skip();
    }
    const models = pickModels(manifest, entry.id, 'fp16') ?? pickModels(manifest, entry.id, 'fp32');
    ({ client } = await initWorker('wasm', 'wasm'));
    // No warm-up: the first runs are the slowest (V8's baseline code), so any overlap is wide.
    const result = await client.request('grade', {
      ...gradeParams(await fixture('fundus.jpeg'), models!),
      warmUp: false,
    });
    const { tfjs, ort } = result.variants;
    for (const variant of [tfjs, ort]) {
      expect(variant.backend).to.equal('wasm');
      expect(variant.endedAt - variant.startedAt, variant.runtime).to.be.closeTo(variant.ms, 0.01);
      // On the epoch's clock, as both workers' clocks are: within this test's time.
      expect(Math.abs(variant.endedAt - Date.now()), variant.runtime).to.be.lessThan(600000);
    }
    const shared = overlap(tfjs, ort);
    const times = JSON.stringify({ tfjs: [tfjs.startedAt, tfjs.endedAt], ort: [ort.startedAt, ort.endedAt] });
    expect(shared, `the runs overlap: ${times}`).to.be.greaterThan(0);
    // Most of the shorter run, not just its edge: they really ran side by side.
    expect(shared / Math.min(tfjs.ms, ort.ms), times).to.be.greaterThan(0.5);
  });

  describe('after a crash of its worker (tiny model)', () => {
    let models: ModelPair;
    before(async () => {
      models = await tinyModels('fp16');
    });

    it('fails the request in flight, then starts a fresh ORT worker for the next grading', async () => {
      ({ client } = await initWorker('wasm', 'wasm'));
      const first = await client.request('grade', gradeParams(await fixture('fundus.jpeg'), models));
      const tfjsBefore = (await client.request('memory', {})).tfjs;

      const { error } = await client.request('crash-ort-worker', {});
      expect(error.code).to.equal('worker-crashed');
      expect(error.message).to.contain("ONNX Runtime's worker crashed").and.to.contain('crashed on purpose');
      // The inference worker lives on: its TF.js model stays loaded.
      expect(client.alive).to.equal(true);

      const again = await client.request('grade', gradeParams(await fixture('fundus.jpeg'), models));
      expect(again.variants.ort.probabilities).to.deep.equal(first.variants.ort.probabilities);
      expect(again.variants.tfjs.probabilities).to.deep.equal(first.variants.tfjs.probabilities);
      const after = await client.request('memory', {});
      expect(after.ort).to.deep.equal({ sessions: 1, liveTensors: 0 });
      expect(after.tfjs.numTensors).to.equal(tfjsBefore.numTensors);
    });
  });
});
