import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelFormat, ModelVariant, WeightForm } from '../../shared/model-manifest.js';
import { exportOnnx } from '../onnx/keras-to-onnx.js';
import { parseKerasTopology } from '../onnx/keras-topology.js';
import { decodeTfjsModel, readTfjsModelFiles, writeTfjsModel, type LayersModelData } from './tfjs-files.js';

export const ONNX_FILE = 'model.onnx';
export const DERIVED_CONVERTED_BY = 'fundus-grader derive';

export interface DerivedFormat {
  variant: ModelVariant;
  format: ModelFormat;
  weights: WeightForm;
  /** The file to open, relative to the derivation's output folder. */
  entry: string;
  /** Every file, relative to the output folder, entry first. */
  files: string[];
}

export interface DerivedModel {
  /** Input side in pixels, read from the topology. */
  inputSize: number;
  formats: DerivedFormat[];
}

/**
 * Writes every servable form of a canonical store into `outDir/<variant>-<weights>/`: TF.js fp32,
 * TF.js fp16 (the canonical files, copied), ONNX fp32 and ONNX fp16. A pure transform of the
 * topology JSON and weights (no TF.js runtime), so the build can run it every time: the same store
 * gives the same bytes on every run and machine.
 */
export async function deriveModelFormats(canonicalDir: string, outDir: string): Promise<DerivedModel> {
  const files = await readTfjsModelFiles(canonicalDir);
  const model = decodeTfjsModel(files, canonicalDir);
  const folder = async (variant: ModelVariant, weights: WeightForm) => {
    const dir = join(outDir, `${variant}-${weights}`);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    return { dir, relative: (file: string) => `${variant}-${weights}/${file}` };
  };
  const formats: DerivedFormat[] = [];

  const tfjs32 = await folder('tfjs', 'fp32');
  const tfjs32Files = await writeTfjsModel(tfjs32.dir, model, { form: 'fp32', convertedBy: DERIVED_CONVERTED_BY });
  formats.push(tfjsFormat('fp32', tfjs32Files.map(tfjs32.relative)));

  const tfjs16 = await folder('tfjs', 'fp16');
  await Promise.all(files.files.map((file) => copyFile(join(canonicalDir, file), join(tfjs16.dir, file))));
  formats.push(tfjsFormat('fp16', files.files.map(tfjs16.relative)));

  for (const weights of ['fp32', 'fp16'] as const) {
    const onnx = await folder('onnx', weights);
    await writeFile(join(onnx.dir, ONNX_FILE), exportOnnx(model, { weights, gradCam: true }));
    formats.push({
      variant: 'onnx',
      format: 'onnx',
      weights,
      entry: onnx.relative(ONNX_FILE),
      files: [onnx.relative(ONNX_FILE)],
    });
  }
  return { inputSize: inputSizeOf(model), formats };
}

function tfjsFormat(weights: WeightForm, files: string[]): DerivedFormat {
  return { variant: 'tfjs', format: 'tfjs-layers', weights, entry: files[0]!, files };
}

function inputSizeOf(model: LayersModelData): number {
  const graph = parseKerasTopology(model.modelTopology);
  const input = graph.layers.find((l) => l.name === graph.input);
  const [, height, width] = (input?.config['batch_input_shape'] ?? []) as Array<number | null>;
  if (typeof height !== 'number' || height !== width)
    throw new Error(`model input ${graph.input} is not a fixed square image`);
  return height;
}
