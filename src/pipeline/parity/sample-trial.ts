import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GRADE_COUNT, isReferable, topGrade, type Grade } from '../../shared/grades.js';
import { referableProbability, referralReason } from '../../shared/referral.js';
import type { WeightForm } from '../../shared/model-manifest.js';
import { preprocessFundus, type FovVerdict, type RgbImage } from '../../shared/preprocess.js';
import { decodeImageFile } from '../data/kaggle-loader.js';
import { loadFundusDataset } from '../data/load-dataset.js';
import { ONNX_FILE } from '../export/derive.js';
import type { ImageSource } from '../train/examples.js';
import { environment, type Environment } from './environment.js';
import { deriveListedForms, findManifestModel, formatDir } from './manifest-model.js';
import { predictOnnx, predictTfjs, startTfjsWasm } from './runtimes.js';

export interface VariantGrade {
  grade: Grade;
  /** Probability of that grade. */
  probability: number;
  probabilities: number[];
}

export interface SampleResult {
  image: string;
  /** The photo as decoded (full camera resolution). */
  width: number;
  height: number;
  level: Grade;
  fov: { found: boolean; verdict: FovVerdict; confidence: number };
  preprocessMs: number;
  tfjs: VariantGrade;
  onnx: VariantGrade;
  /** Same top-1 grade from both variants. */
  agree: boolean;
  maxAbsDiff: number;
  /** Referred as the app refers (grade ≥ 2, or P(grade ≥ 2) at the model's threshold), and the truth. */
  referable: { truth: boolean; tfjs: boolean; onnx: boolean };
}

export interface SampleTrial {
  model: { id: string; version: string; name: string; demo: boolean; weights: WeightForm; formsMatchManifest: boolean };
  samplesDir: string;
  environment: Environment;
  timing: { preprocessSeconds: number; tfjsSeconds: number; onnxSeconds: number };
  images: SampleResult[];
  summary: { images: number; variantsAgree: number; tfjsCorrect: number; onnxCorrect: number; fovFound: number };
  triedAt: string;
}

export interface SampleTrialOptions {
  modelsDir: string;
  id?: string;
  samplesDir: string;
  weights: WeightForm;
  batch: number;
  ortThreads: number;
  log: (line: string) => void;
}

function variantGrade(values: Float32Array, index: number): VariantGrade {
  const probabilities = [...values.subarray(index * GRADE_COUNT, (index + 1) * GRADE_COUNT)];
  const grade = topGrade(probabilities);
  return { grade, probability: probabilities[grade]!, probabilities };
}

/**
 * Real photos through the whole product path outside the browser: the Kaggle loader, decoding at
 * full camera resolution, the shared preprocessing (field of view, crop, 300 px), then the model's
 * TF.js form on tfjs-backend-wasm and its ONNX form on onnxruntime-node. A trial, not a test.
 */
export async function trySamples(options: SampleTrialOptions): Promise<SampleTrial> {
  const model = await findManifestModel(options.modelsDir, options.id);
  const work = await mkdtemp(join(tmpdir(), 'fg-samples-'));
  try {
    const mismatches = await deriveListedForms(model, work);
    const records = await loadFundusDataset(options.samplesDir);
    let started = performance.now();
    const prepared: Array<{ rgb: RgbImage; fov: SampleResult['fov']; width: number; height: number; ms: number }> = [];
    for (const record of records) {
      const t = performance.now();
      const pixels = await decodeImageFile(record.path);
      const { rgb, fov } = preprocessFundus(pixels);
      prepared.push({
        rgb,
        fov: { found: fov.found, verdict: fov.verdict, confidence: fov.confidence },
        width: pixels.width,
        height: pixels.height,
        ms: performance.now() - t,
      });
      options.log(
        `  ${record.image}: ${pixels.width}×${pixels.height}, field of view ${fov.verdict} (${fov.confidence.toFixed(2)}), ${(performance.now() - t).toFixed(0)} ms`,
      );
    }
    const preprocessSeconds = (performance.now() - started) / 1000;
    const images: ImageSource = {
      count: records.length,
      labels: records.map((r) => r.level),
      size: prepared[0]?.rgb.width ?? 0,
      image: async (index) => prepared[index]!.rgb,
    };

    await startTfjsWasm();
    started = performance.now();
    const tfjs = await predictTfjs(formatDir(work, 'tfjs', options.weights), images, options.batch);
    const tfjsSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const onnx = await predictOnnx(
      await readFile(join(formatDir(work, 'onnx', options.weights), ONNX_FILE)),
      images,
      options.batch,
      options.ortThreads,
    );
    const onnxSeconds = (performance.now() - started) / 1000;

    const threshold = model.description.referralThreshold;
    const refers = (v: VariantGrade) =>
      referralReason(v.grade, referableProbability(v.probabilities), threshold) !== null;
    const results: SampleResult[] = records.map((record, i) => {
      const [t, o] = [variantGrade(tfjs.values, i), variantGrade(onnx.values, i)];
      const p = prepared[i]!;
      return {
        image: record.image,
        width: p.width,
        height: p.height,
        level: record.level,
        fov: p.fov,
        preprocessMs: p.ms,
        tfjs: t,
        onnx: o,
        agree: t.grade === o.grade,
        maxAbsDiff: Math.max(...t.probabilities.map((v, g) => Math.abs(v - o.probabilities[g]!))),
        referable: { truth: isReferable(record.level), tfjs: refers(t), onnx: refers(o) },
      };
    });
    const { id, version, name, demo } = model.description;
    return {
      model: { id, version, name, demo, weights: options.weights, formsMatchManifest: mismatches.length === 0 },
      samplesDir: resolve(options.samplesDir),
      environment: environment(options.ortThreads),
      timing: { preprocessSeconds, tfjsSeconds, onnxSeconds },
      images: results,
      summary: {
        images: results.length,
        variantsAgree: results.filter((r) => r.agree).length,
        tfjsCorrect: results.filter((r) => r.tfjs.grade === r.level).length,
        onnxCorrect: results.filter((r) => r.onnx.grade === r.level).length,
        fovFound: results.filter((r) => r.fov.found).length,
      },
      triedAt: new Date().toISOString(),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
