import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import type { RgbImage } from '../../shared/pixels.js';
import { toNchwImagenet } from '../../shared/preprocess.js';
import { GAP_LAYER } from '../model/classifier-head.js';
import { RESNET50_CONV4_OUTPUT } from '../model/resnet50-backbone.js';
import {
  buildResNet50LastStageModel,
  RESNET50_CONV4_CHANNELS,
  RESNET50_FEATURES,
  resNet50Truncated,
} from '../model/resnet50-classifier.js';
import { encodeFloat16 } from '../export/float16.js';
import { onnxSession } from '../evaluate/onnx-runner.js';
import { transferWeights } from '../train/model-weights.js';
import type { ImageSource } from '../train/examples.js';
import { dihedral, DIHEDRAL_VARIANTS } from './dihedral.js';

/**
 * A frozen backbone's outputs for every photo in its eight dihedral variants, kept on disk: conv4's
 * feature map (fp16, NHWC), the last stage's input when fine-tuning it, and the pooled 2048 features
 * (float32), the dense head's input. One file pair per photo, written as it is done, so an
 * interrupted extraction resumes where it stopped; a key over the backbone's weights and the
 * preprocessing names the folder's contents.
 */

export interface FeatureStoreInfo {
  key: string;
  conv4Size: number;
  variants: number;
}

export interface PhotoFeatures {
  /** [variants, conv4Size, conv4Size, 1024] as fp16 bits, NHWC. */
  conv4: Uint16Array;
  /** [variants, 2048]. */
  pooled: Float32Array;
}

/** Key of a backbone: a hash of its weights up to conv4 and of the last stage. */
export function backboneKey(model: tf.LayersModel, preprocessing: string): string {
  const hash = createHash('sha256').update(preprocessing);
  for (const layer of model.layers) {
    if (layer.name === GAP_LAYER) break;
    for (const w of layer.getWeights()) hash.update(new Uint8Array((w.dataSync() as Float32Array).buffer));
  }
  return hash.digest('hex').slice(0, 16);
}

export class FeatureExtractor {
  private constructor(
    private readonly lower: ort.InferenceSession,
    private readonly upper: ort.InferenceSession,
    readonly conv4Size: number,
  ) {}

  /** Two chained ONNX sessions: image → conv4, conv4 → pooled features (the same weights as `model`). */
  static async create(model: tf.LayersModel): Promise<FeatureExtractor> {
    const conv4Size = resNet50Truncated(model, RESNET50_CONV4_OUTPUT).outputs[0]!.shape[1]!;
    const lower = await onnxSession(resNet50Truncated(model, RESNET50_CONV4_OUTPUT), { featureMapOutput: true });
    const top = buildResNet50LastStageModel({ conv4Size });
    transferWeights(model, top);
    const upper = await onnxSession(resNet50Truncated(top, GAP_LAYER));
    top.dispose();
    return new FeatureExtractor(lower, upper, conv4Size);
  }

  async extract(images: readonly RgbImage[]): Promise<PhotoFeatures> {
    const n = images.length;
    const size = images[0]!.width;
    const plane = size * size * 3;
    const batch = new Float32Array(n * plane);
    images.forEach((image, i) => toNchwImagenet(image, batch, i * plane));
    const c4 = await this.lower.run({
      [this.lower.inputNames[0]!]: new ort.Tensor('float32', batch, [n, 3, size, size]),
    });
    const conv4Tensor = c4[this.lower.outputNames[0]!]!;
    const pooledOut = await this.upper.run({ [this.upper.inputNames[0]!]: conv4Tensor });
    const pooledTensor = pooledOut[this.upper.outputNames[0]!]!;
    const pooled = new Float32Array(pooledTensor.data as Float32Array);
    const s = this.conv4Size;
    const nchw = conv4Tensor.data as Float32Array;
    const nhwc = new Float32Array(nchw.length);
    const c = RESNET50_CONV4_CHANNELS;
    for (let b = 0; b < n; b++) {
      for (let ch = 0; ch < c; ch++) {
        const src = (b * c + ch) * s * s;
        for (let p = 0; p < s * s; p++) nhwc[(b * s * s + p) * c + ch] = nchw[src + p]!;
      }
    }
    conv4Tensor.dispose();
    pooledTensor.dispose();
    return { conv4: encodeFloat16(nhwc), pooled };
  }

  async release(): Promise<void> {
    await this.lower.release();
    await this.upper.release();
  }
}

const fileBase = (dir: string, id: string) => join(dir, id.replace(/[^\w.-]/g, '_'));

export async function readPhotoFeatures(dir: string, id: string): Promise<PhotoFeatures | undefined> {
  try {
    const [c4, pooled] = await Promise.all([
      readFile(`${fileBase(dir, id)}.conv4.f16`),
      readFile(`${fileBase(dir, id)}.pooled.f32`),
    ]);
    return {
      conv4: new Uint16Array(c4.buffer.slice(c4.byteOffset, c4.byteOffset + c4.length)),
      pooled: new Float32Array(pooled.buffer.slice(pooled.byteOffset, pooled.byteOffset + pooled.length)),
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function writeAtomically(path: string, data: Uint8Array): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

/**
 * Fills `dir` with every photo's features (skipping photos already there under the same key) and
 * returns the store's description.
 */
export async function extractFeatureStore(
  model: tf.LayersModel,
  images: ImageSource,
  ids: readonly string[],
  dir: string,
  preprocessing: string,
  onPhoto?: (done: number, total: number, cached: boolean) => void,
): Promise<FeatureStoreInfo> {
  const key = backboneKey(model, preprocessing);
  const storeDir = join(dir, key);
  await mkdir(storeDir, { recursive: true });
  let extractor: FeatureExtractor | undefined;
  let conv4Size = 0;
  try {
    for (let i = 0; i < images.count; i++) {
      const existing = await readPhotoFeatures(storeDir, ids[i]!);
      if (existing && existing.pooled.length === DIHEDRAL_VARIANTS * RESNET50_FEATURES) {
        onPhoto?.(i + 1, images.count, true);
        continue;
      }
      extractor ??= await FeatureExtractor.create(model);
      conv4Size = extractor.conv4Size;
      const image = await images.image(i);
      const variants = Array.from({ length: DIHEDRAL_VARIANTS }, (_, d) => dihedral(image, d));
      const features = await extractor.extract(variants);
      await writeAtomically(`${fileBase(storeDir, ids[i]!)}.conv4.f16`, new Uint8Array(features.conv4.buffer));
      await writeAtomically(`${fileBase(storeDir, ids[i]!)}.pooled.f32`, new Uint8Array(features.pooled.buffer));
      onPhoto?.(i + 1, images.count, false);
    }
  } finally {
    await extractor?.release();
  }
  if (conv4Size === 0) conv4Size = resNet50Truncated(model, RESNET50_CONV4_OUTPUT).outputs[0]!.shape[1]!;
  const info: FeatureStoreInfo = { key, conv4Size, variants: DIHEDRAL_VARIANTS };
  await writeFile(join(storeDir, 'store.json'), JSON.stringify(info));
  return { ...info };
}
