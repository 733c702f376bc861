/**
 * Micro-benchmark (not a test): GFLOPS of Conv2D and both of its gradients on the 'wasm' backend
 * for ResNet50's convolution shapes, with tfjs-backend-wasm's own kernels and with the
 * forward-conv kernels of wasm-conv-gradients.ts.
 *
 *   node --import tsx src/pipeline/train/bench-conv-gradients.ts [--resolution 160] [--batch 8]
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { installWasmConvGradients, uninstallWasmConvGradients } from './wasm-conv-gradients.js';

interface ConvCase {
  name: string;
  size: number;
  kernel: number;
  stride: number;
  inChannels: number;
  outChannels: number;
  pad: 'valid' | 'same';
}

/** One of each convolution shape in keras ResNet50 at a given input resolution. */
function resnet50Cases(resolution: number): ConvCase[] {
  const c1 = Math.floor((resolution + 6 - 7) / 2) + 1;
  const c2 = Math.floor((c1 + 2 - 3) / 2) + 1;
  const c3 = Math.ceil(c2 / 2);
  const c4 = Math.ceil(c3 / 2);
  const c5 = Math.ceil(c4 / 2);
  return [
    { name: 'conv1 7×7/2', size: resolution + 6, kernel: 7, stride: 2, inChannels: 3, outChannels: 64, pad: 'valid' },
    { name: 'conv2 1×1 64→256', size: c2, kernel: 1, stride: 1, inChannels: 64, outChannels: 256, pad: 'valid' },
    { name: 'conv2 1×1 256→64', size: c2, kernel: 1, stride: 1, inChannels: 256, outChannels: 64, pad: 'valid' },
    { name: 'conv2 3×3 64', size: c2, kernel: 3, stride: 1, inChannels: 64, outChannels: 64, pad: 'same' },
    { name: 'conv3 1×1/2 256→128', size: c2, kernel: 1, stride: 2, inChannels: 256, outChannels: 128, pad: 'valid' },
    { name: 'conv3 1×1/2 256→512', size: c2, kernel: 1, stride: 2, inChannels: 256, outChannels: 512, pad: 'valid' },
    { name: 'conv3 3×3 128', size: c3, kernel: 3, stride: 1, inChannels: 128, outChannels: 128, pad: 'same' },
    { name: 'conv4 3×3 256', size: c4, kernel: 3, stride: 1, inChannels: 256, outChannels: 256, pad: 'same' },
    { name: 'conv4 1×1 1024→256', size: c4, kernel: 1, stride: 1, inChannels: 1024, outChannels: 256, pad: 'valid' },
    { name: 'conv5 3×3 512', size: c5, kernel: 3, stride: 1, inChannels: 512, outChannels: 512, pad: 'same' },
    { name: 'conv5 1×1 512→2048', size: c5, kernel: 1, stride: 1, inChannels: 512, outChannels: 2048, pad: 'valid' },
  ];
}

/** Seconds per call: one warm-up, then repeats until ~0.3 s have passed. */
async function secondsPerCall(run: () => tf.Tensor): Promise<number> {
  const once = async () => {
    const t = run();
    await t.data();
    t.dispose();
  };
  await once();
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < 300 || calls < 2) {
    await once();
    calls++;
  }
  return (performance.now() - start) / 1000 / calls;
}

async function benchCase(c: ConvCase, batch: number, fast: boolean): Promise<[number, number, number]> {
  if (fast) installWasmConvGradients();
  else uninstallWasmConvGradients();
  const x = tf.randomNormal<tf.Rank.R4>([batch, c.size, c.size, c.inChannels]);
  const w = tf.randomNormal<tf.Rank.R4>([c.kernel, c.kernel, c.inChannels, c.outChannels]);
  const yShape = tf.tidy(() => tf.conv2d(x, w, c.stride, c.pad).shape);
  const dy = tf.randomNormal(yShape);
  const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: 'floor' };
  const forward = await secondsPerCall(() => tf.conv2d(x, w, c.stride, c.pad));
  const dx = await secondsPerCall(() =>
    tf.engine().runKernel<tf.Tensor>(tf.Conv2DBackpropInput, { dy, filter: w }, { ...attrs, inputShape: x.shape }),
  );
  const dw = fast
    ? await secondsPerCall(() =>
        tf.engine().runKernel<tf.Tensor>(tf.Conv2DBackpropFilter, { x, dy }, { ...attrs, filterShape: w.shape }),
      )
    : NaN;
  tf.dispose([x, w, dy]);
  return [forward, dx, dw];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { resolution: { type: 'string', default: '160' }, batch: { type: 'string', default: '8' } },
  });
  const resolution = Number(values.resolution);
  const batch = Number(values.batch);
  await tf.setBackend('wasm');
  console.log(`wasm backend, batch ${batch}, ResNet50 shapes at ${resolution} px; GFLOPS (ms)`);
  // Repeated calls reuse one filter tensor, as the micro-batches of a training step do, so "dX fast"
  // is the steady state with its flipped filter cached; a step's first micro-batch also derives it.
  console.log('dX fast reuses its flipped filter across calls, as within a training step');
  console.log(
    'layer'.padEnd(22),
    'forward'.padStart(14),
    'dX wasm'.padStart(14),
    'dX fast'.padStart(14),
    'dW fast'.padStart(14),
  );
  for (const c of resnet50Cases(resolution)) {
    const out = Math.floor((c.pad === 'same' ? c.size + c.stride - 1 : c.size - c.kernel + c.stride) / c.stride);
    const flops = 2 * batch * out * out * c.kernel * c.kernel * c.inChannels * c.outChannels;
    const [forward, dxSlow] = await benchCase(c, batch, false);
    const [, dxFast, dwFast] = await benchCase(c, batch, true);
    const cell = (s: number) =>
      (Number.isNaN(s) ? 'n/a' : `${(flops / s / 1e9).toFixed(1)} (${(s * 1000).toFixed(1)})`).padStart(14);
    console.log(c.name.padEnd(22), cell(forward), cell(dxSlow), cell(dxFast), cell(dwFast));
  }
}

await main();
