import { encodeFloat16 } from '../export/float16.js';
import { AttributeType, DataType, type AttributeProto, type NodeProto, type TensorProto } from './onnx-proto.js';

export type AttributeValue = { int: number } | { ints: number[] } | { float: number };

function attribute(name: string, value: AttributeValue): AttributeProto {
  if ('int' in value) return { name, type: AttributeType.INT, i: value.int };
  if ('ints' in value) return { name, type: AttributeType.INTS, ints: value.ints };
  return { name, type: AttributeType.FLOAT, f: value.float };
}

function bytesOf(data: Float32Array | Uint16Array | BigInt64Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Collects nodes and initializers in the order they are added, so the same input gives the same bytes. */
export class OnnxGraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  readonly #names = new Set<string>();

  /** Adds a node; returns its (first) output name. */
  node(
    opType: string,
    name: string,
    inputs: string[],
    output: string,
    attributes: Record<string, AttributeValue> = {},
  ): string {
    this.#claim(name, 'node');
    this.#claim(output, 'tensor');
    this.nodes.push({
      name,
      op_type: opType,
      input: inputs,
      output: [output],
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
    return output;
  }

  float32(name: string, dims: number[], values: Float32Array): string {
    return this.#initializer(name, dims, DataType.FLOAT, values);
  }

  int64(name: string, dims: number[], values: number[]): string {
    return this.#initializer(name, dims, DataType.INT64, BigInt64Array.from(values, BigInt));
  }

  /**
   * A float weight. As fp16 it is stored as a FLOAT16 initializer followed by Cast to float:
   * half the bytes in the file, and onnxruntime constant-folds the Cast when it creates the
   * session, so inference runs the same float32 kernels as the fp32 model. Returns the name of
   * the float32 tensor to feed to the consuming node.
   */
  weight(name: string, dims: number[], values: Float32Array, asFloat16: boolean): string {
    if (!asFloat16) return this.float32(name, dims, values);
    const half = this.#initializer(`${name}_fp16`, dims, DataType.FLOAT16, encodeFloat16(values));
    return this.node('Cast', `${name}_cast`, [half], name, { to: { int: DataType.FLOAT } });
  }

  #initializer(
    name: string,
    dims: number[],
    dataType: TensorProto['data_type'],
    data: Float32Array | Uint16Array | BigInt64Array,
  ): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length)
      throw new Error(`initializer ${name}: dims ${dims.join('×')} need ${count} values, got ${data.length}`);
    this.#claim(name, 'tensor');
    this.initializers.push({ name, dims, data_type: dataType, raw_data: bytesOf(data) });
    return name;
  }

  #claim(name: string, kind: string): void {
    const key = `${kind}:${name}`;
    if (this.#names.has(key)) throw new Error(`duplicate ONNX ${kind} name ${name}`);
    this.#names.add(key);
  }
}
