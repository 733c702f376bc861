import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as ort from 'onnxruntime-node';
import { saveCanonicalModel } from '../../../src/pipeline/export/canonical-store.js';
import { decodeFloat16, encodeFloat16 } from '../../../src/pipeline/export/float16.js';
import { readTfjsModel, type LayersModelData } from '../../../src/pipeline/export/tfjs-files.js';
import { loadLayersModelFromDir, saveLayersModel } from '../../../src/pipeline/export/tfjs-model-io.js';
import { IMAGENET_NORMALIZATION_LAYER } from '../../../src/pipeline/model/imagenet-normalization.js';
import { randomizeBatchNormStatistics } from '../../../src/pipeline/model/random-batchnorm.js';
import { buildResNet50Classifier } from '../../../src/pipeline/model/resnet50-classifier.js';
import { exportOnnx, kerasToOnnx, ONNX_INPUT, ONNX_OUTPUT } from '../../../src/pipeline/onnx/keras-to-onnx.js';
import { DataType, decodeModel } from '../../../src/pipeline/onnx/onnx-proto.js';
import { argmaxRows, maxAbsDiff, tempDir, TINY_STORE, toNormalizedNchw } from './fixtures.js';

before(async () => {
  await tf.setBackend('wasm');
});

/** The same pixels through TF.js (NHWC 0..255) and onnxruntime (worker-style NCHW normalised). */
async function runBoth(tfjsModel: tf.LayersModel, onnx: Uint8Array, batch: number, size: number, seed: number) {
  const pixels = tf.randomUniform([batch, size, size, 3], 0, 255, 'float32', seed);
  const tfjs = tf.tidy(() => (tfjsModel.predict(pixels) as tf.Tensor).dataSync() as Float32Array);
  const nchw = toNormalizedNchw(pixels.dataSync() as Float32Array, batch, size);
  pixels.dispose();
  const session = await ort.InferenceSession.create(onnx);
  const result = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', nchw, [batch, 3, size, size]) });
  await session.release();
  return { tfjs, onnx: result[ONNX_OUTPUT]!.data as Float32Array };
}

let tiny: LayersModelData;
let tinyTfjs: tf.LayersModel;
before(async () => {
  tiny = await readTfjsModel(TINY_STORE);
  tinyTfjs = await loadLayersModelFromDir(TINY_STORE);
});

test('tiny model: onnxruntime matches TF.js wasm (same top-1, |Δp| < 1e-4) in both weight forms', async () => {
  const fp32 = exportOnnx(tiny, { weights: 'fp32' });
  const fp16 = exportOnnx(tiny, { weights: 'fp16' });
  const a = await runBoth(tinyTfjs, fp32, 3, 300, 21);
  const b = await runBoth(tinyTfjs, fp16, 3, 300, 21);
  assert.deepEqual(argmaxRows(a.onnx, 5), argmaxRows(a.tfjs, 5));
  assert.ok(maxAbsDiff(a.onnx, a.tfjs) < 1e-4, `max |Δp| ${maxAbsDiff(a.onnx, a.tfjs)}`);
  // fp16 initializers + Cast/Mul fold at load into exactly the fp32 model's weights.
  assert.deepEqual(b.onnx, a.onnx);
  assert.ok(fp16.length < 0.65 * fp32.length, `${fp16.length} vs ${fp32.length} bytes`);
});

test('tiny model graph: dynamic batch, folded BatchNorm and padding, no normalisation', () => {
  const model = kerasToOnnx(tiny, { weights: 'fp32' });
  assert.equal(model.ir_version, 8);
  assert.deepEqual(model.opset_import, [{ domain: '', version: 17 }]);
  const decoded = decodeModel(exportOnnx(tiny, { weights: 'fp32' }));
  const dims = (v: (typeof decoded.graph.input)[number]) =>
    v.type.tensor_type.shape.dim.map((d) => ('dim_param' in d ? d.dim_param : d.dim_value));
  assert.deepEqual([decoded.graph.input[0]!.name, dims(decoded.graph.input[0]!)], [ONNX_INPUT, ['N', 3, 300, 300]]);
  assert.deepEqual([decoded.graph.output[0]!.name, dims(decoded.graph.output[0]!)], [ONNX_OUTPUT, ['N', 5]]);
  const ops = new Set(decoded.graph.node.map((n) => n.op_type));
  assert.deepEqual([...ops].sort(), [
    'Add',
    'Conv',
    'Flatten',
    'Gemm',
    'GlobalAveragePool',
    'MaxPool',
    'Relu',
    'Softmax',
  ]);
  const pads = (name: string) =>
    decoded.graph.node.find((n) => n.name === name)!.attribute.find((a) => a.name === 'pads')!.ints;
  assert.deepEqual(pads('stem_conv'), [1, 1, 1, 1]); // stem_pad
  assert.deepEqual(pads('pool'), [1, 1, 1, 1]); // pool_pad
  assert.deepEqual(pads('block_1_conv'), [1, 1, 1, 1]); // 'same'
  assert.ok(decoded.graph.initializer.every((t) => t.data_type === DataType.FLOAT && t.raw_data.length > 0));
  assert.equal(decoded.graph.node.at(-1)!.output[0], ONNX_OUTPUT);

  const compact = decodeModel(exportOnnx(tiny, { weights: 'fp16' }));
  const halves = compact.graph.initializer.filter((t) => t.data_type === DataType.FLOAT16).map((t) => t.name);
  assert.deepEqual(halves, [
    'stem_conv/kernel_fp16',
    'block_1_conv/kernel_fp16',
    'block_2_conv/kernel_fp16',
    'head_dense1/kernel_fp16',
    'predictions/kernel_fp16',
  ]);
  assert.equal(compact.graph.node.filter((n) => n.op_type === 'Cast').length, halves.length);
});

test('ResNet50 at 64 px with random BatchNorm statistics: onnxruntime matches TF.js wasm', async () => {
  const model = buildResNet50Classifier({ seed: 2, inputSize: 64 });
  randomizeBatchNormStatistics(model, 2);
  const dir = await tempDir('r50');
  await saveCanonicalModel(model, dir, { id: 'r50', version: '0', name: 'test', trainingData: 'none', demo: true });
  model.dispose();
  const loaded = await loadLayersModelFromDir(dir);
  const { tfjs, onnx } = await runBoth(loaded, exportOnnx(await readTfjsModel(dir), { weights: 'fp16' }), 1, 64, 8);
  loaded.dispose();
  assert.deepEqual(argmaxRows(onnx, 5), argmaxRows(tfjs, 5));
  assert.ok(maxAbsDiff(onnx, tfjs) < 1e-4, `max |Δp| ${maxAbsDiff(onnx, tfjs)}`);
  assert.ok(Math.max(...tfjs) - Math.min(...tfjs) > 0.01, `outputs too flat to compare: ${tfjs.join(',')}`);
});

test('a weight beyond float16 (an ImageNet-scale conv1 BatchNorm variance) stays float32 in the store, and both runtimes agree', async () => {
  const model = buildResNet50Classifier({ seed: 4, inputSize: 64 });
  randomizeBatchNormStatistics(model, 4);
  const bn = model.getLayer('conv1_bn');
  const [gamma, beta, mean, variance] = bn.getWeights();
  // Scale conv1's output and its statistics together, so the network computes the same function.
  const conv = model.getLayer('conv1_conv');
  const [kernel, bias] = conv.getWeights();
  tf.tidy(() => {
    conv.setWeights([tf.mul(kernel!, 300), tf.mul(bias!, 300)]);
    bn.setWeights([gamma!, beta!, tf.mul(mean!, 300), tf.add(tf.mul(variance!, 90000), 1e4)]);
  });
  const dir = await tempDir('r50-wide');
  await saveCanonicalModel(model, dir, { id: 'r50', version: '0', name: 'test', trainingData: 'none', demo: true });
  model.dispose();
  const stored = await readTfjsModel(dir);
  const storedAs = new Map(stored.weights.map((w) => [w.name, w.storedAs]));
  assert.equal(storedAs.get('conv1_bn/moving_variance'), 'fp32');
  assert.equal(storedAs.get('conv1_conv/kernel'), 'fp16');
  assert.equal(storedAs.get('conv2_block1_1_bn/moving_variance'), 'fp16');
  const loaded = await loadLayersModelFromDir(dir);
  const { tfjs, onnx } = await runBoth(loaded, exportOnnx(stored, { weights: 'fp16' }), 1, 64, 8);
  loaded.dispose();
  assert.deepEqual(argmaxRows(onnx, 5), argmaxRows(tfjs, 5));
  assert.ok(maxAbsDiff(onnx, tfjs) < 1e-4, `max |Δp| ${maxAbsDiff(onnx, tfjs)}`);
});

test('refuses a normalisation layer whose constants were rounded to fp16', () => {
  const rounded = tiny.weights.map((w) =>
    w.name.startsWith(`${IMAGENET_NORMALIZATION_LAYER}/`)
      ? { ...w, values: decodeFloat16(encodeFloat16(w.values)) }
      : w,
  );
  assert.throws(
    () => exportOnnx({ ...tiny, weights: rounded }, { weights: 'fp32' }),
    /imagenet_normalization\/depthwise_kernel is not the ImageNet normalisation/,
  );
});

test('names the layer it cannot export', async () => {
  const exportOf = async (build: (x: tf.SymbolicTensor) => tf.SymbolicTensor) => {
    const input = tf.input({ shape: [8, 8, 3], name: 'pixels' });
    const model = tf.model({ inputs: input, outputs: build(input) });
    const dir = await tempDir('unsupported');
    await saveLayersModel(model, dir, { form: 'fp32' });
    model.dispose();
    const data = await readTfjsModel(dir);
    return () => exportOnnx(data, { weights: 'fp32' });
  };
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor) => layer.apply(x) as tf.SymbolicTensor;
  const normalized = (x: tf.SymbolicTensor) => {
    const layer = tf.layers.depthwiseConv2d({ name: IMAGENET_NORMALIZATION_LAYER, kernelSize: 1, trainable: false });
    return apply(layer, x);
  };

  assert.throws(
    await exportOf((x) =>
      apply(tf.layers.dense({ name: 'fc', units: 5 }), apply(tf.layers.flatten({ name: 'flat' }), x)),
    ),
    /flat: layer type Flatten is not supported/,
  );
  assert.throws(
    await exportOf((x) =>
      apply(
        tf.layers.globalAveragePooling2d({ name: 'gap' }),
        apply(tf.layers.batchNormalization({ name: 'lonely_bn' }), x),
      ),
    ),
    /lonely_bn: BatchNormalization is supported only directly after a linear Conv2D/,
  );
  assert.throws(
    await exportOf((x) =>
      apply(
        tf.layers.globalAveragePooling2d({ name: 'gap' }),
        apply(
          tf.layers.maxPooling2d({ name: 'pool', poolSize: 3, strides: 2 }),
          apply(tf.layers.zeroPadding2d({ name: 'pad' }), x),
        ),
      ),
    ),
    /pool: zero padding before max pooling folds only after a ReLU/,
  );
  assert.throws(
    await exportOf((x) => apply(tf.layers.globalAveragePooling2d({ name: 'gap' }), normalized(x))),
    /imagenet_normalization\/depthwise_kernel is not the ImageNet normalisation/,
  );
});
