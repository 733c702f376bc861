/**
 * A one-node ONNX model (Y = Relu(X), X: float[1,4]) encoded by hand, so that the worker can prove an
 * onnxruntime-web execution provider really works before any real model has been downloaded.
 * The field numbers are those of onnx.proto (ModelProto, GraphProto, NodeProto, ValueInfoProto, TypeProto).
 */
const WIRE_VARINT = 0;
const WIRE_BYTES = 2;
const ONNX_FLOAT = 1;

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

export function intField(field: number, value: number): number[] {
  return [...varint((field << 3) | WIRE_VARINT), ...varint(value)];
}

export function bytesField(field: number, payload: number[] | string): number[] {
  const bytes = typeof payload === 'string' ? [...new TextEncoder().encode(payload)] : payload;
  return [...varint((field << 3) | WIRE_BYTES), ...varint(bytes.length), ...bytes];
}

export function floatTensorValueInfo(name: string, dims: number[]): number[] {
  const shape = dims.flatMap((d) => bytesField(1, intField(1, d))); // TensorShapeProto.dim[].dim_value
  const tensorType = [...intField(1, ONNX_FLOAT), ...bytesField(2, shape)]; // TypeProto.Tensor
  return [...bytesField(1, name), ...bytesField(2, bytesField(1, tensorType))]; // ValueInfoProto
}

export function onnxProbeModel(): Uint8Array {
  const node = [...bytesField(1, 'X'), ...bytesField(2, 'Y'), ...bytesField(3, 'probe'), ...bytesField(4, 'Relu')];
  const graph = [
    ...bytesField(1, node),
    ...bytesField(2, 'probe'),
    ...bytesField(11, floatTensorValueInfo('X', [1, 4])),
    ...bytesField(12, floatTensorValueInfo('Y', [1, 4])),
  ];
  const opset = [...bytesField(1, ''), ...intField(2, 17)];
  const model = [
    ...intField(1, 8), // ir_version
    ...bytesField(2, 'fundus-grader'), // producer_name
    ...bytesField(7, graph),
    ...bytesField(8, opset),
  ];
  return new Uint8Array(model);
}

/** Input and the output Relu must give for it: the probe checks numbers, not just "no exception". */
export const PROBE_INPUT = new Float32Array([-1, 0.5, -0.25, 2]);
export const PROBE_EXPECTED = [0, 0.5, 0, 2];
