import { expect } from '@open-wc/testing';
import * as tf from '@tensorflow/tfjs';
import type { PixelImage, RgbImage } from '../../src/shared/pixels.js';
import { preprocessFundus } from '../../src/shared/preprocess.js';
import type { GradeResult, Heatmap, ModelPair } from '../../src/shared/protocol.js';
import { pearson } from './heatmap-agreement.js';
import {
  fixture,
  gradeParams,
  initWorker,
  maxAbsDifference,
  MODELS_URL,
  tinyModels,
  type TestClient,
} from './worker-client.js';

/** The fixture photo decoded here, and the same pixels as a PNG: the worker decodes exactly these. */
async function losslessPhoto(name: string): Promise<{ pixels: PixelImage; png: ArrayBuffer }> {
  const bitmap = await createImageBitmap(new Blob([await fixture(name)]), {
    imageOrientation: 'from-image',
    premultiplyAlpha: 'none',
  });
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const { data, width, height } = context.getImageData(0, 0, canvas.width, canvas.height);
  const png = await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer();
  return { pixels: { data, width, height, channels: 4 }, png };
}

/**
 * Grad-CAM of the TF.js model by autodiff, computed here: the model loaded again with its output layer's
 * softmax removed (class scores), A = the input of its global average pooling, α_k = Σ_hw ∂score/∂A_khw,
 * map = ReLU(Σ_k α_k·A_k) scaled by its maximum.
 */
async function autodiffGradCam(modelUrl: string, rgb: RgbImage, grade: number): Promise<number[]> {
  const artifacts = await tf.io.http(modelUrl).load!();
  const { config } = artifacts.modelTopology as {
    config: {
      output_layers: Array<[string, ...unknown[]]>;
      layers: Array<{ name: string; config: Record<string, unknown> }>;
    };
  };
  const [[outputName]] = config.output_layers as [[string]];
  config.layers.find((layer) => layer.name === outputName)!.config['activation'] = 'linear';
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  try {
    const pooling = model.layers.find((l) => l.getClassName() === 'GlobalAveragePooling2D')!;
    const head = model.layers.slice(model.layers.indexOf(pooling));
    return tf.tidy(() => {
      const input = tf.tensor4d(Float32Array.from(rgb.data), [1, rgb.height, rgb.width, 3]);
      const activation = model.execute(input, (pooling.input as tf.SymbolicTensor).name) as tf.Tensor4D;
      const score = (a: tf.Tensor) => {
        const scores = head.reduce((x, layer) => layer.apply(x) as tf.Tensor, a);
        return tf.sum(tf.mul(scores, tf.oneHot([grade], scores.shape[1]!, 1, 0, 'float32')));
      };
      const alpha = tf.sum(tf.grad(score)(activation), [1, 2], true);
      const cam = tf.relu(tf.sum(tf.mul(activation, alpha), 3));
      return Array.from(tf.div(cam, tf.max(cam)).dataSync());
    });
  } finally {
    model.dispose();
  }
}

function expectWellFormed(heatmap: Heatmap, grade: number, side: number): void {
  expect(heatmap.grade, 'the map explains the grade the variant gave').to.equal(grade);
  expect([heatmap.width, heatmap.height]).to.deep.equal([side, side]);
  expect(heatmap.values).to.have.length(side * side);
  expect(heatmap.values.every((v) => v >= 0 && v <= 1)).to.equal(true);
  expect(Math.max(...heatmap.values)).to.equal(1);
  // Some structure: neither a single hot cell nor everything hot.
  const positive = heatmap.values.filter((v) => v > 0).length;
  expect(positive).to.be.within(0.05 * side * side, side * side - 1);
  expect(heatmap.ms).to.be.at.least(0);
}

describe('Grad-CAM heatmaps of both variants (tiny model)', function () {
  this.timeout(120000);
  // The tiny model's last block keeps the 75×75 grid of its stride-4 stem.
  const GRID = 75;
  let models: ModelPair;
  let photo: { pixels: PixelImage; png: ArrayBuffer };
  let client: TestClient;
  let onWasm: GradeResult;

  before(async () => {
    // The reference runs here on TF.js's plain JavaScript kernels: no second wasm or GPU set-up.
    await tf.setBackend('cpu');
    models = await tinyModels('fp16');
    photo = await losslessPhoto('fundus.jpeg');
    ({ client } = await initWorker('wasm', 'wasm'));
    onWasm = await client.request('grade', gradeParams(photo.png.slice(0), models));
  });
  after(() => client.terminate());

  it('each variant maps the grade it gave over the last block grid, scaled to 0–1', () => {
    for (const variant of [onWasm.variants.tfjs, onWasm.variants.ort])
      expectWellFormed(variant.heatmap, variant.grade, GRID);
  });

  it('the two variants maps agree (same weights, other runtime)', () => {
    const { tfjs, ort } = onWasm.variants;
    expect(tfjs.grade).to.equal(ort.grade);
    // Both compute the same function of the same float32 weights: only rounding separates them (their
    // probabilities agree to 1e-4), so anything short of near-perfect correlation is a wrong map.
    expect(pearson(tfjs.heatmap.values, ort.heatmap.values)).to.be.above(0.99);
    expect(maxAbsDifference(tfjs.heatmap.values, ort.heatmap.values)).to.be.below(1e-3);
  });

  it('the TF.js map equals Grad-CAM by tf.grad on the same input', async () => {
    const { rgb } = preprocessFundus(photo.pixels, models.tfjs.input.size);
    const { tfjs } = onWasm.variants;
    const reference = await autodiffGradCam(`${MODELS_URL}${models.tfjs.entry}`, rgb, tfjs.grade);
    expect(maxAbsDifference(tfjs.heatmap.values, reference)).to.be.below(1e-3);
  });

  it('leaks no tensor or ONNX tensor over repeated gradings with maps', async () => {
    const before = await client.request('memory', {});
    for (let i = 0; i < 3; i++) await client.request('grade', gradeParams(photo.png.slice(0), models));
    const after = await client.request('memory', {});
    expect(after.tfjs.numTensors).to.equal(before.tfjs.numTensors);
    expect(after.tfjs.numBytes).to.equal(before.tfjs.numBytes);
    expect(after.ort).to.deep.equal({ sessions: 1, liveTensors: 0 });
  });

  it('on WebGPU both variants give the maps they give on wasm', async function () {
    const { client: gpu, report } = await initWorker('webgpu', 'webgpu');
    try {
      if (report.tfjs.backend !== 'webgpu' || report.ort.backend !== 'webgpu') {
        console.log(`skipped: WebGPU did not come up (TF.js ${report.tfjs.backend}, ORT ${report.ort.backend})`);
        this.skip();
      }
      const result = await gpu.request('grade', gradeParams(photo.png.slice(0), models));
      for (const runtime of ['tfjs', 'ort'] as const) {
        const variant = result.variants[runtime];
        expect(variant.backend).to.equal('webgpu');
        expectWellFormed(variant.heatmap, variant.grade, GRID);
        expect(maxAbsDifference(variant.heatmap.values, onWasm.variants[runtime].heatmap.values), runtime).to.be.below(
          1e-3,
        );
      }
    } finally {
      gpu.terminate();
    }
  });
});
