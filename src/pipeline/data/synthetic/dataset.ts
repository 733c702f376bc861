/**
 * Write a synthetic dataset in Kaggle's EyePACS layout: `<id>.jpeg` images and trainLabels.csv in
 * one folder, plus lesions.csv (what each image really shows), a contact sheet and a class
 * distribution chart. Rerunning with the same settings skips images already on disk, so an
 * interrupted run resumes; other settings in the same folder are refused unless forced.
 */
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GRADE_COUNT, GRADE_NAMES, type Grade } from '../../../shared/grades.js';
import { barChartSvg } from '../../plots/bar-chart.js';
import { contactSheetPng } from '../../plots/contact-sheet.js';
import { writeSvgAsPng } from '../../plots/rasterise.js';
import { formatLabelsCsv } from '../labels-csv.js';
import { encodeFundus, EXTENSION, type ImageFormat } from './encode.js';
import { planDataset, type Balance, type PlannedImage } from './plan.js';
import { renderScene } from './render.js';
import { sampleScene } from './scene.js';
import type { LesionCounts } from './scene-types.js';

export const LABELS_FILE = 'trainLabels.csv';
export const LESIONS_FILE = 'lesions.csv';
export const MANIFEST_FILE = 'synthetic.json';
export const CONTACT_SHEET_FILE = 'contact-sheet.png';
export const DISTRIBUTION_FILE = 'class-distribution.png';

/** Bumped whenever the same settings would draw different pictures, so old folders are not mixed in. */
export const GENERATOR_VERSION = 1;

export interface SyntheticDatasetSettings {
  readonly count: number;
  readonly seed: number;
  /** Image width in pixels. */
  readonly size: number;
  readonly balance: Balance;
  readonly format: ImageFormat;
}

export interface DatasetProgress {
  readonly done: number;
  readonly total: number;
  readonly written: number;
  readonly skipped: number;
}

export interface SyntheticDatasetOptions extends SyntheticDatasetSettings {
  readonly outDir: string;
  /** Overwrite a folder made with other settings (its images are regenerated). */
  readonly force?: boolean;
  readonly onProgress?: (progress: DatasetProgress) => void;
  /** Images per grade on the contact sheet. */
  readonly sheetColumns?: number;
}

export interface SyntheticDatasetSummary {
  readonly images: number;
  readonly written: number;
  readonly skipped: number;
  readonly perGrade: readonly number[];
  readonly seconds: number;
  readonly files: { readonly labels: string; readonly lesions: string; readonly contactSheet: string; readonly distribution: string };
}

const LESION_COLUMNS: ReadonlyArray<keyof LesionCounts> = [
  'microaneurysms',
  'haemorrhages',
  'hardExudates',
  'cottonWoolSpots',
  'beadedVeins',
  'irma',
  'neovascularization',
  'preretinalHaemorrhages',
];

/** Encodes run on sharp's thread pool while the next image renders; two in flight keep both busy. */
const ENCODES_IN_FLIGHT = 2;

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function checkManifest(outDir: string, settings: SyntheticDatasetSettings, force: boolean): Promise<boolean> {
  const path = join(outDir, MANIFEST_FILE);
  const wanted = JSON.stringify({ generatorVersion: GENERATOR_VERSION, ...settings });
  if (!(await exists(path))) return false;
  const found = JSON.stringify(JSON.parse(await readFile(path, 'utf8')));
  if (found === wanted) return true;
  if (!force) {
    throw new Error(`${outDir} holds a synthetic dataset made with other settings (${found}); choose another --out or pass --force to regenerate it`);
  }
  return false;
}

/** Write via a temporary name so an interrupted run never leaves a half-written image that a resume would trust. */
async function writeAtomically(path: string, bytes: Buffer | string): Promise<void> {
  await writeFile(`${path}.partial`, bytes);
  await rename(`${path}.partial`, path);
}

function lesionsCsv(rows: ReadonlyArray<{ image: string; grade: Grade; counts: LesionCounts }>): string {
  const header = ['image', 'level', ...LESION_COLUMNS].join(',');
  return [header, ...rows.map((r) => [r.image, r.grade, ...LESION_COLUMNS.map((k) => r.counts[k])].join(','))].join('\n') + '\n';
}

export async function writeSyntheticDataset(options: SyntheticDatasetOptions): Promise<SyntheticDatasetSummary> {
  const started = performance.now();
  const { outDir, count, seed, size, balance, format } = options;
  const settings: SyntheticDatasetSettings = { count, seed, size, balance, format };
  await mkdir(outDir, { recursive: true });
  const resuming = await checkManifest(outDir, settings, options.force ?? false);
  await writeFile(join(outDir, MANIFEST_FILE), JSON.stringify({ generatorVersion: GENERATOR_VERSION, ...settings }, null, 2) + '\n');

  const plan = planDataset({ count, seed, balance });
  const pathOf = (p: PlannedImage): string => join(outDir, p.image + EXTENSION[format]);
  const lesionRows: { image: string; grade: Grade; counts: LesionCounts }[] = [];
  const inFlight: Promise<void>[] = [];
  // Remember the first failed write instead of leaving a rejected promise unobserved while waiting on another.
  let failure: { error: unknown } | undefined;
  let written = 0;
  let skipped = 0;
  for (const planned of plan) {
    const scene = sampleScene(planned);
    lesionRows.push({ image: planned.image, grade: planned.grade, counts: scene.counts });
    const path = pathOf(planned);
    if (resuming && (await exists(path))) {
      skipped++;
    } else {
      const rgb = renderScene(scene, size);
      const job = encodeFundus(rgb, scene, format).then((bytes) => writeAtomically(path, bytes));
      inFlight.push(job.catch((error: unknown) => void (failure ??= { error })));
      if (inFlight.length >= ENCODES_IN_FLIGHT) await inFlight.shift();
      if (failure) break;
      written++;
    }
    options.onProgress?.({ done: written + skipped, total: plan.length, written, skipped });
  }
  await Promise.all(inFlight);
  if (failure) throw failure.error;

  const files = {
    labels: join(outDir, LABELS_FILE),
    lesions: join(outDir, LESIONS_FILE),
    contactSheet: join(outDir, CONTACT_SHEET_FILE),
    distribution: join(outDir, DISTRIBUTION_FILE),
  };
  await writeAtomically(files.labels, formatLabelsCsv(plan.map((p) => ({ image: p.image, level: p.grade }))));
  await writeAtomically(files.lesions, lesionsCsv(lesionRows));

  const perGrade = new Array<number>(GRADE_COUNT).fill(0);
  for (const p of plan) perGrade[p.grade]!++;
  const columns = options.sheetColumns ?? 6;
  const rows = await Promise.all(
    GRADE_NAMES.map(async (name, grade) => ({
      label: `${grade} · ${name} (${perGrade[grade]})`,
      images: await Promise.all(
        plan
          .filter((p) => p.grade === grade)
          .slice(0, columns)
          .map((p) => readFile(pathOf(p))),
      ),
    })),
  );
  await writeFile(files.contactSheet, await contactSheetPng({ title: `Synthetic fundus photos by ICDR grade (seed ${seed})`, rows }));
  await writeSvgAsPng(
    files.distribution,
    barChartSvg({
      title: `Class distribution: ${plan.length} images (${balance})`,
      categories: GRADE_NAMES.map((name, g) => `${g} ${name}`),
      values: perGrade,
      barLabels: perGrade.map((n) => `${n} (${((100 * n) / plan.length).toFixed(1)}%)`),
      yLabel: 'images',
    }),
  );
  return { images: plan.length, written, skipped, perGrade, seconds: (performance.now() - started) / 1000, files };
}
