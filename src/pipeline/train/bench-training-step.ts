/**
 * Benchmark (not a test): images/s of a ResNet50 training pass (forward, backward, gradient sums)
 * and the memory it takes, at one resolution and micro-batch per process, so the wasm heap's size
 * at the end is this configuration's peak (wasm memory only grows).
 *
 *   node --import tsx src/pipeline/train/bench-training-step.ts --resolution 160 --micro-batch 8 \
 *     [--kernels all|conv-only|filter-only] [--backend wasm|cpu] [--passes 2]
 *
 * kernels all: every training kernel of this folder; conv-only: the two conv gradient kernels
 * without the channel reductions; filter-only: only our Conv2DBackpropFilter, which tfjs-wasm lacks
 * altogether (without it wasm cannot train a conv net), with tfjs-wasm's naive Conv2DBackpropInput.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { buildResNet50Classifier } from '../model/resnet50-classifier.js';
import { initTrainingBackend } from './backend.js';
import { trainableVariables } from './model-weights.js';
import { accumulateGradients } from './train-step.js';
import { installWasmTrainingKernels } from './wasm-training-kernels.js';
import { installWasmConvGradients } from './wasm-conv-gradients.js';
import type { Examples } from './examples.js';

const { values } = parseArgs({
  options: {
    resolution: { type: 'string', default: '160' },
    'micro-batch': { type: 'string', default: '8' },
    kernels: { type: 'string', default: 'all' },
    backend: { type: 'string', default: 'wasm' },
    passes: { type: 'string', default: '2' },
  },
});
const resolution = Number(values.resolution);
const microBatch = Number(values['micro-batch']);
const passes = Number(values.passes);
const backend = values.backend === 'cpu' ? 'cpu' : 'wasm';

await initTrainingBackend(backend, { trainingKernels: false });
if (backend === 'wasm') {
  installWasmConvGradients({ inputGradient: values.kernels !== 'filter-only' });
  if (values.kernels !== 'filter-only' && values.kernels !== 'conv-only') installWasmTrainingKernels();
}

const model = buildResNet50Classifier({ inputSize: resolution, seed: 1 });
const variables = trainableVariables(model);
const classWeights = tf.ones<tf.Rank.R1>([5]);
const pixels = resolution * resolution * 3;
const examples: Examples = {
  count: microBatch,
  labels: Array.from({ length: microBatch }, (_, i) => (i % 5) as 0 | 1 | 2 | 3 | 4),
  inputShape: [resolution, resolution, 3],
  async load(index, out, offset) {
    for (let i = 0; i < pixels; i++) out[offset + i] = (i * 7 + index * 13) % 256;
  },
};
const batch = Array.from({ length: microBatch }, (_, i) => i);

async function pass(): Promise<number> {
  const started = performance.now();
  const { gradients } = await accumulateGradients({ model, variables, examples, batch, microBatch, classWeights });
  await gradients.values().next().value!.data();
  tf.dispose([...gradients.values()]);
  return (performance.now() - started) / 1000;
}

const warmUp = await pass();
const times: number[] = [];
for (let i = 0; i < passes; i++) times.push(await pass());
const mean = times.reduce((a, b) => a + b, 0) / times.length;
// The emscripten module's heap view; its buffer is the whole wasm memory.
const heap =
  backend === 'wasm'
    ? ((tf.backend() as BackendWasm).wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer.byteLength
    : NaN;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
console.log(
  JSON.stringify({
    backend,
    kernels: backend === 'wasm' ? values.kernels : 'n/a',
    resolution,
    microBatch,
    warmUpSeconds: +warmUp.toFixed(2),
    secondsPerPass: times.map((t) => +t.toFixed(2)),
    imagesPerSecond: +(microBatch / mean).toFixed(2),
    wasmHeap: Number.isNaN(heap) ? null : mib(heap),
    maxRss: mib(process.resourceUsage().maxRSS * 1024),
  }),
);
