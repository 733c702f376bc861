import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

/**
 * Encoding and decoding ONNX ModelProto with protobufjs and our schema subset. The interfaces
 * below mirror the .proto field names exactly (snake_case): the schema is parsed with
 * `keepCase: true`, because protobufjs otherwise renames raw_data to rawData and silently drops
 * tensor bytes handed to it under the .proto name.
 */

const root = protobuf.parse(readFileSync(new URL('./onnx-subset.proto', import.meta.url), 'utf8'), {
  keepCase: true,
}).root;
const ModelProtoType = root.lookupType('onnx.ModelProto');

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT64: 7, FLOAT16: 10 } as const;
export type DataTypeValue = (typeof DataType)[keyof typeof DataType];

/** AttributeProto.AttributeType values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export interface TensorProto {
  name: string;
  dims: number[];
  data_type: DataTypeValue;
  raw_data: Uint8Array;
}

export interface AttributeProto {
  name: string;
  type: (typeof AttributeType)[keyof typeof AttributeType];
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
}

export interface NodeProto {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute: AttributeProto[];
}

export type Dimension = { dim_value: number } | { dim_param: string };

export interface ValueInfoProto {
  name: string;
  type: { tensor_type: { elem_type: DataTypeValue; shape: { dim: Dimension[] } } };
}

export interface GraphProto {
  name: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
}

export interface ModelProto {
  ir_version: number;
  opset_import: Array<{ domain: string; version: number }>;
  producer_name: string;
  producer_version: string;
  doc_string?: string;
  graph: GraphProto;
}

export function encodeModel(model: ModelProto): Uint8Array {
  const problem = ModelProtoType.verify(model);
  if (problem) throw new Error(`invalid ONNX model: ${problem}`);
  return ModelProtoType.encode(model).finish();
}

/** Decodes a model we wrote (fields outside the subset are dropped). */
export function decodeModel(bytes: Uint8Array): ModelProto {
  return ModelProtoType.toObject(ModelProtoType.decode(bytes), { longs: Number, arrays: true }) as ModelProto;
}
