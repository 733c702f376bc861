import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GRADE_COUNT, type Grade } from '../../shared/grades.js';
import type { ModelVariant, WeightForm } from '../../shared/model-manifest.js';
import { loadFundusDataset } from '../data/load-dataset.js';
import { ONNX_FILE } from '../export/derive.js';
import { exportOnnx } from '../onnx/keras-to-onnx.js';
import { preprocessedImages } from '../train/preprocessed-images.js';
import {
  accuracy,
  compareProbabilities,
  meetsTarget,
  PARITY_TARGETS,
  type Comparison,
  type TargetKind,
} from './compare.js';
import { environment, type Environment } from './environment.js';
import { readFloat32Source } from './float32-source.js';
import { deriveListedForms, findManifestModel, formatDir } from './manifest-model.js';
import { predictOnnx, predictTfjs, startTfjsWasm, type Prediction } from './runtimes.js';

export interface ParityOptions {
  modelsDir: string;
  /** Default: the app's default model in the manifest. */
  id?: string;
  /** Labelled images in Kaggle layout, held out from training. */
  dataDir: string;
  cacheDir: string;
  limit?: number;
  /** The trained float32 weights (train.ts --fp32-out); compared with the store when the folder exists. */
  fp32Dir?: string;
  batch: number;
  ortThreads: number;
  log: (line: string) => void;
}

export interface FormRun {
  form: string;
  runtime: string;
  /** Reading the model and creating the session, before the first image. */
  loadSeconds: number;
  /** Every image, preprocessed input to probabilities, in batches. */
  inferenceSeconds: number;
  msPerImage: number;
  accuracy: number;
}

export interface ParityComparison extends Comparison {
  name: string;
  reference: string;
  candidate: string;
  target: TargetKind;
  targetText: string;
  pass: boolean;
}

export interface ParityReport {
  model: {
    id: string;
    version: string;
    name: string;
    store: string;
    formsMatchManifest: boolean;
    manifestMismatches: string[];
  };
  data: { dir: string; images: number; perGrade: number[] };
  /** null: not asked for; otherwise whether the trained float32 weights could be compared. */
  float32Source: { dir: string; status: 'compared' | 'absent' | 'not-the-source'; problem?: string } | null;
  environment: Environment;
  timing: { totalSeconds: number; deriveSeconds: number; preprocessSeconds: number; runs: FormRun[] };
  comparisons: ParityComparison[];
  /** Every comparison met its target. */
  pass: boolean;
  measuredAt: string;
}

/** Seconds to the millisecond: finer digits would only be noise in the report. */
const toMs = (seconds: number) => Math.round(1000 * seconds) / 1000;
const since = (start: number) => toMs((performance.now() - start) / 1000);

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** The trained float32 weights as an ONNX model, when `fp32Dir` holds the store's source. */
async function trainedFloat32(
  storeDir: string,
  fp32Dir: string,
): Promise<{ status: NonNullable<ParityReport['float32Source']>; onnx?: Uint8Array }> {
  if (!(await exists(fp32Dir))) return { status: { dir: fp32Dir, status: 'absent' } };
  const source = await readFloat32Source(storeDir, fp32Dir);
  return source.ok
    ? { status: { dir: fp32Dir, status: 'compared' }, onnx: exportOnnx(source.model, { weights: 'fp32' }) }
    : { status: { dir: fp32Dir, status: 'not-the-source', problem: source.problem } };
}

/**
 * The parity check: derive a manifest model's four forms, run each on the held-out images
 * (TF.js on wasm, ONNX on onnxruntime-node), and compare the runtimes on fp32 weights, each
 * compact form with its fp32 form, and (given the trained float32 weights) the fp16 canonical store
 * with the weights it was rounded from.
 */
export async function runParity(options: ParityOptions): Promise<ParityReport> {
  const started = performance.now();
  const model = await findManifestModel(options.modelsDir, options.id);
  const { id, version, name } = model.description;
  const work = await mkdtemp(join(tmpdir(), 'fg-parity-'));
  try {
    let step = performance.now();
    const manifestMismatches = await deriveListedForms(model, work);
    const deriveSeconds = since(step);
    options.log(
      `${id} v${version}: derived 4 forms from ${model.storeDir} in ${deriveSeconds.toFixed(1)} s${manifestMismatches.length ? ` (${manifestMismatches.length} file(s) differ from the manifest!)` : ', identical to the manifest'}.`,
    );

    const all = await loadFundusDataset(options.dataDir);
    const records = options.limit ? all.slice(0, options.limit) : all;
    const images = preprocessedImages(records, options.cacheDir);
    const labels = [...images.labels] as Grade[];
    const names = records.map((r) => r.image);
    step = performance.now();
    for (let i = 0; i < images.count; i++) await images.image(i);
    const preprocessSeconds = since(step);
    options.log(
      `${images.count} images from ${options.dataDir} preprocessed (or read from ${options.cacheDir}) in ${preprocessSeconds.toFixed(1)} s.`,
    );

    await startTfjsWasm();
    const runs: FormRun[] = [];
    const probabilities = new Map<string, Float32Array>();
    const run = async (
      form: string,
      runtime: string,
      predict: (onBatch: (done: number) => void) => Promise<Prediction>,
    ) => {
      const t = performance.now();
      let reported = t;
      const { values, loadSeconds } = await predict((done) => {
        if (performance.now() - reported < 10_000) return;
        reported = performance.now();
        options.log(`  ${form}: ${done}/${images.count}`);
      });
      const inferenceSeconds = Math.max(0, toMs((performance.now() - t) / 1000 - loadSeconds));
      const msPerImage = Math.round((10_000 * inferenceSeconds) / Math.max(1, images.count)) / 10;
      runs.push({
        form,
        runtime,
        loadSeconds: toMs(loadSeconds),
        inferenceSeconds,
        msPerImage,
        accuracy: accuracy(values, labels),
      });
      probabilities.set(form, values);
      options.log(
        `${form} on ${runtime}: loaded in ${loadSeconds.toFixed(1)} s, ${inferenceSeconds.toFixed(1)} s for ${images.count} images (${msPerImage.toFixed(0)} ms/image).`,
      );
    };
    const dir = (variant: ModelVariant, weights: WeightForm) => formatDir(work, variant, weights);
    for (const weights of ['fp32', 'fp16'] as const) {
      const bytes = await readFile(join(dir('onnx', weights), ONNX_FILE));
      await run(`onnx-${weights}`, 'onnxruntime-node', (onBatch) =>
        predictOnnx(bytes, images, options.batch, options.ortThreads, onBatch),
      );
    }
    for (const weights of ['fp32', 'fp16'] as const) {
      await run(`tfjs-${weights}`, 'tfjs-backend-wasm', (onBatch) =>
        predictTfjs(dir('tfjs', weights), images, options.batch, onBatch),
      );
    }

    const trained = options.fp32Dir === undefined ? undefined : await trainedFloat32(model.storeDir, options.fp32Dir);
    const bytes = trained?.onnx;
    if (bytes) {
      await run('trained-fp32', 'onnxruntime-node', (onBatch) =>
        predictOnnx(bytes, images, options.batch, options.ortThreads, onBatch),
      );
    }

    const compare = (label: string, reference: string, candidate: string, target: TargetKind): ParityComparison => {
      const c = compareProbabilities(probabilities.get(reference)!, probabilities.get(candidate)!, labels, names);
      return {
        name: label,
        reference,
        candidate,
        target,
        targetText: PARITY_TARGETS[target].text,
        pass: meetsTarget(target, c),
        ...c,
      };
    };
    const comparisons = [
      compare('runtimes: TF.js fp32 vs ONNX fp32', 'tfjs-fp32', 'onnx-fp32', 'runtimes'),
      compare('compact: TF.js fp16 vs TF.js fp32', 'tfjs-fp32', 'tfjs-fp16', 'compact'),
      compare('compact: ONNX fp16 vs ONNX fp32', 'onnx-fp32', 'onnx-fp16', 'compact'),
      ...(probabilities.has('trained-fp32')
        ? [compare('rounding: fp16 store vs trained fp32', 'trained-fp32', 'onnx-fp32', 'compact')]
        : []),
    ];
    return {
      model: {
        id,
        version,
        name,
        store: model.storeDir,
        formsMatchManifest: manifestMismatches.length === 0,
        manifestMismatches,
      },
      data: {
        dir: options.dataDir,
        images: images.count,
        perGrade: Array.from({ length: GRADE_COUNT }, (_, g) => labels.filter((l) => l === g).length),
      },
      float32Source: trained?.status ?? null,
      environment: environment(options.ortThreads),
      timing: { totalSeconds: since(started), deriveSeconds, preprocessSeconds, runs },
      comparisons,
      pass: comparisons.every((c) => c.pass) && manifestMismatches.length === 0,
      measuredAt: new Date().toISOString(),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
