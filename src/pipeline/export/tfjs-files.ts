import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { io } from '@tensorflow/tfjs';
import type { WeightForm } from '../../shared/model-manifest.js';
import { decodeFloat16, encodeFloat16 } from './float16.js';

/**
 * model.json + group1-shardNofM.bin, the TF.js layers-model format, read and written as plain data
 * (no TF.js runtime: the production build derives formats with this). tf.loadLayersModel reads the
 * result, including fp16 weights through the standard `quantization: { dtype: 'float16' }` entry.
 */

export const MODEL_JSON = 'model.json';
/** tensorflowjs_converter's default shard size: browsers cache and fetch shards independently. */
export const SHARD_BYTES = 4 * 1024 * 1024;
const SHARD_FILE = /^group\d+-shard\d+of\d+\.bin$/;

export interface TfjsModelJson {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: string | null;
  modelTopology: unknown;
  weightsManifest: io.WeightsManifestConfig;
}

/** A weight decoded to float32, remembering whether the store held it as fp16. */
export interface NamedWeight {
  name: string;
  shape: number[];
  values: Float32Array;
  storedAs: WeightForm;
}

export interface LayersModelData {
  modelTopology: unknown;
  generatedBy: string;
  weights: NamedWeight[];
}

export interface WriteTfjsOptions {
  form: WeightForm;
  /** In the fp16 form, weights to keep in float32 anyway (defined constants, not learned values). */
  keepFloat32?: (weightName: string) => boolean;
  convertedBy?: string;
}

/** Writes model.json and its shards into `dir`; returns the file names, model.json first. */
export async function writeTfjsModel(
  dir: string,
  model: LayersModelData,
  options: WriteTfjsOptions,
): Promise<string[]> {
  const specs: io.WeightsManifestEntry[] = [];
  const chunks: Uint8Array[] = [];
  for (const weight of model.weights) {
    const asFloat16 = options.form === 'fp16' && !options.keepFloat32?.(weight.name);
    const data = asFloat16 ? encodeFloat16(weight.values) : weight.values;
    chunks.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    specs.push({
      name: weight.name,
      shape: weight.shape,
      dtype: 'float32',
      ...(asFloat16 ? { quantization: { dtype: 'float16' as const } } : {}),
    });
  }
  const shards = splitIntoShards(Buffer.concat(chunks));
  const paths = shards.map((_, i) => `group1-shard${i + 1}of${shards.length}.bin`);
  const json: TfjsModelJson = {
    format: 'layers-model',
    generatedBy: model.generatedBy,
    convertedBy: options.convertedBy ?? null,
    modelTopology: model.modelTopology,
    weightsManifest: [{ paths, weights: specs }],
  };
  await mkdir(dir, { recursive: true });
  // A folder holds one model: shards of an earlier, bigger save would otherwise linger.
  const stale = (await readdir(dir)).filter((name) => SHARD_FILE.test(name));
  await Promise.all(stale.map((name) => rm(join(dir, name))));
  await writeFile(join(dir, MODEL_JSON), JSON.stringify(json));
  await Promise.all(shards.map((shard, i) => writeFile(join(dir, paths[i]!), shard)));
  return [MODEL_JSON, ...paths];
}

function splitIntoShards(bytes: Buffer): Buffer[] {
  const shards: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += SHARD_BYTES)
    shards.push(bytes.subarray(offset, offset + SHARD_BYTES));
  return shards.length > 0 ? shards : [Buffer.alloc(0)];
}

export interface TfjsModelFiles {
  json: TfjsModelJson;
  /** Shard contents in manifest order, concatenated per the format (weights may straddle shards). */
  weightBytes: Buffer;
  /** Every file the model consists of, relative to its folder, model.json first. */
  files: string[];
}

export async function readTfjsModelFiles(dir: string): Promise<TfjsModelFiles> {
  const json = JSON.parse(await readFile(join(dir, MODEL_JSON), 'utf8')) as TfjsModelJson;
  if (json.format !== 'layers-model')
    throw new Error(`${dir}/${MODEL_JSON}: expected format "layers-model", got ${String(json.format)}`);
  const paths = json.weightsManifest.flatMap((group) => group.paths);
  const shards = await Promise.all(paths.map((path) => readFile(join(dir, path))));
  return { json, weightBytes: Buffer.concat(shards), files: [MODEL_JSON, ...paths] };
}

/** Reads a layers model's topology and every weight as float32. */
export async function readTfjsModel(dir: string): Promise<LayersModelData> {
  return decodeTfjsModel(await readTfjsModelFiles(dir), dir);
}

export function decodeTfjsModel({ json, weightBytes }: TfjsModelFiles, dir: string): LayersModelData {
  const weights: NamedWeight[] = [];
  let offset = 0;
  for (const spec of json.weightsManifest.flatMap((group) => group.weights)) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const quantized = spec.quantization?.dtype;
    if (spec.dtype !== 'float32' || (quantized !== undefined && quantized !== 'float16')) {
      throw new Error(
        `${dir}: weight ${spec.name} is ${quantized ?? spec.dtype}; only float32 and float16 weights are supported`,
      );
    }
    const bytes = count * (quantized ? 2 : 4);
    if (offset + bytes > weightBytes.length) throw new Error(`${dir}: shards end before weight ${spec.name}`);
    // Copy out: a weight may sit at an offset its typed array cannot be aligned to.
    const raw = weightBytes.buffer.slice(weightBytes.byteOffset + offset, weightBytes.byteOffset + offset + bytes);
    weights.push({
      name: spec.name,
      shape: spec.shape,
      values: quantized ? decodeFloat16(new Uint16Array(raw)) : new Float32Array(raw),
      storedAs: quantized ? 'fp16' : 'fp32',
    });
    offset += bytes;
  }
  if (offset !== weightBytes.length)
    throw new Error(`${dir}: shards hold ${weightBytes.length - offset} bytes past the last weight`);
  return { modelTopology: json.modelTopology, generatedBy: json.generatedBy, weights };
}
