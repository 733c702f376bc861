import * as ort from 'onnxruntime-web';
import type { OrtBackend } from '../../src/shared/protocol.js';
import { bytesField, floatTensorValueInfo, intField } from '../onnx-probe-model.js';
import { CONV_PROBE, convProbeFilter, convProbeInput } from './conv-probe.js';
import { dropThreshold, timeProbe, type GpuBackend, type ProbeTiming } from './gpu-speed.js';

const { side, channels, layers, kernel } = CONV_PROBE;
const ONNX_FLOAT = 1;
const ATTRIBUTE_INTS = 7;

/** AttributeProto with a list of ints (name = 1, ints = 8, type = 20). */
function intsAttribute(name: string, values: number[]): number[] {
  return [...bytesField(1, name), ...values.flatMap((v) => intField(8, v)), ...intField(20, ATTRIBUTE_INTS)];
}

/** TensorProto holding float32 values as raw little-endian bytes (dims = 1, data_type = 2, name = 8, raw_data = 9). */
function floatInitializer(name: string, dims: number[], values: Float32Array): number[] {
  const raw = Array.from(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  return [
    ...dims.flatMap((d) => intField(1, d)),
    ...intField(2, ONNX_FLOAT),
    ...bytesField(8, name),
    ...bytesField(9, raw),
  ];
}

/** NodeProto (input = 1, output = 2, name = 3, op_type = 4, attribute = 5). */
function node(op: string, inputs: string[], output: string, attributes: number[][] = []): number[] {
  return [
    ...inputs.flatMap((input) => bytesField(1, input)),
    ...bytesField(2, output),
    ...bytesField(3, output),
    ...bytesField(4, op),
    ...attributes.flatMap((attribute) => bytesField(5, attribute)),
  ];
}

/** The convolution probe (conv-probe.ts) as an ONNX model: X [1,64,56,56] → Conv+Relu ×3 → ReduceMean → Y. */
function convProbeModel(): Uint8Array {
  const nodes: number[][] = [];
  const initializers: number[][] = [];
  let x = 'X';
  for (let layer = 0; layer < layers; layer++) {
    const weight = `W${layer}`;
    initializers.push(floatInitializer(weight, [channels, channels, kernel, kernel], convProbeFilter(layer)));
    // Every attribute spelled out: ORT's WebGPU Conv does not fill in the defaults as its CPU one does.
    const attributes = [
      intsAttribute('kernel_shape', [kernel, kernel]),
      intsAttribute('strides', [1, 1]),
      intsAttribute('dilations', [1, 1]),
      intsAttribute('pads', [1, 1, 1, 1]),
    ];
    nodes.push(node('Conv', [x, weight], `C${layer}`, attributes));
    nodes.push(node('Relu', [`C${layer}`], `R${layer}`));
    x = `R${layer}`;
  }
  nodes.push(node('ReduceMean', [x], 'Y'));
  const graph = [
    ...nodes.flatMap((n) => bytesField(1, n)),
    ...bytesField(2, 'speed-probe'),
    ...initializers.flatMap((tensor) => bytesField(5, tensor)),
    ...bytesField(11, floatTensorValueInfo('X', [1, channels, side, side])),
    ...bytesField(12, floatTensorValueInfo('Y', [1, 1, 1, 1])),
  ];
  const opset = [...bytesField(1, ''), ...intField(2, 17)];
  return new Uint8Array([
    ...intField(1, 8), // ir_version
    ...bytesField(2, 'fundus-grader'), // producer_name
    ...bytesField(7, graph),
    ...bytesField(8, opset),
  ]);
}

let model: Uint8Array | null = null;

/** The convolution probe's median time on one execution provider, in a session of its own. */
async function timeOrtProbe(backend: OrtBackend, decidesAt?: number): Promise<number> {
  model ??= convProbeModel();
  const session = await ort.InferenceSession.create(model, { executionProviders: [backend] });
  const input = convProbeInput();
  try {
    return await timeProbe(
      async () => {
        const outputs = await session.run({ X: new ort.Tensor('float32', input, [1, channels, side, side]) });
        for (const output of Object.values(outputs)) output.dispose();
      },
      { decidesAt },
    );
  } finally {
    await session.release();
  }
}

/** ORT's speed measure for walkBackendChain: wasm is timed once per init, then the GPU backend. */
export function ortSpeedMeasure(): (gpu: GpuBackend) => Promise<ProbeTiming | null> {
  let wasmMs: number | null | undefined;
  return async (gpu) => {
    if (gpu !== 'webgpu') throw new Error(`ONNX Runtime has no ${gpu} backend`);
    if (wasmMs === undefined) wasmMs = await timeOrtProbe('wasm').catch(() => null);
    if (wasmMs === null) return null;
    return { gpuMs: await timeOrtProbe(gpu, dropThreshold(wasmMs)), wasmMs };
  };
}
