/**
 * Auxiliary regression targets from a synthetic dataset's lesions.csv
 * (`image,level,microaneurysms,…,preretinalHaemorrhages`): how many lesions of each kind every image
 * really shows, which the generator knows because it drew them. Grade labels say little about a few
 * small lesions; these counts give every image a dense signal about exactly those.
 *
 * Counts are heavy-tailed (none to dozens of microaneurysms), so the targets are log1p(count),
 * standardised per column with the training split's mean and standard deviation: every lesion kind
 * weighs the same, and a head that predicts the mean scores a mean squared error of 1.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from '../data/data-error.js';
import type { KaggleRecord } from '../data/kaggle-loader.js';
import { LABELS_FILE, LESIONS_FILE } from '../data/synthetic/dataset.js';
import type { LesionCounts } from '../data/synthetic/scene-types.js';

/** The count columns, in the order the generator writes them and the targets use them. */
export const LESION_COLUMNS = [
  'microaneurysms',
  'haemorrhages',
  'hardExudates',
  'cottonWoolSpots',
  'beadedVeins',
  'irma',
  'neovascularization',
  'preretinalHaemorrhages',
] as const satisfies ReadonlyArray<keyof LesionCounts>;

export interface LesionRow {
  readonly level: number;
  readonly counts: readonly number[];
  /** 1-based line in the file, for messages. */
  readonly line: number;
}

/** Per-column statistics of log1p(count) on the training split. */
export interface LesionStandardisation {
  readonly columns: readonly string[];
  readonly mean: readonly number[];
  /** Population standard deviation; 1 for a column that is constant on the training split. */
  readonly std: readonly number[];
}

export interface LesionTargets {
  readonly standardisation: LesionStandardisation;
  /** Row-major [examples, LESION_COLUMNS.length], in the order of the records given. */
  readonly train: Float32Array;
  readonly validation: Float32Array;
}

const EXPECTED_HEADER = ['image', 'level', ...LESION_COLUMNS];

/** Rows by image id; throws DataError naming the file and line of anything malformed. */
export function parseLesionsCsv(text: string, file: string): Map<string, LesionRow> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0)
    throw new DataError(file, undefined, `file is empty (expected a header "${EXPECTED_HEADER.join(',')}")`);
  const header = lines[headerAt]!.split(',').map((h) => h.trim().toLowerCase());
  if (header.join(',') !== EXPECTED_HEADER.join(',').toLowerCase()) {
    throw new DataError(
      file,
      headerAt + 1,
      `expected the header "${EXPECTED_HEADER.join(',')}", got "${lines[headerAt]!.trim()}"`,
    );
  }
  const rows = new Map<string, LesionRow>();
  for (let i = headerAt + 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const line = i + 1;
    const fields = raw.split(',').map((f) => f.trim());
    if (fields.length !== EXPECTED_HEADER.length) {
      throw new DataError(
        file,
        line,
        `malformed row "${raw.trim()}": expected ${EXPECTED_HEADER.length} comma-separated fields, got ${fields.length}`,
      );
    }
    const [image, ...numbers] = fields as [string, ...string[]];
    if (image === '') throw new DataError(file, line, 'empty image id');
    const values = numbers.map((text, column) => {
      if (!/^\d+$/.test(text))
        throw new DataError(
          file,
          line,
          `${EXPECTED_HEADER[column + 1]} of image "${image}" must be a whole number ≥ 0, got "${text}"`,
        );
      return Number(text);
    });
    const previous = rows.get(image);
    if (previous) throw new DataError(file, line, `duplicate image "${image}" (first listed on line ${previous.line})`);
    rows.set(image, { level: values[0]!, counts: values.slice(1), line });
  }
  if (rows.size === 0) throw new DataError(file, undefined, 'no rows after the header');
  return rows;
}

/** `<dataDir>/lesions.csv`, parsed; a missing file is explained (only synthetic data has one). */
export async function readLesionsCsv(dataDir: string): Promise<{ path: string; rows: Map<string, LesionRow> }> {
  const path = join(dataDir, LESIONS_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new DataError(path, undefined, `cannot read lesion counts: ${(error as Error).message}`);
    throw new DataError(
      path,
      undefined,
      'not found: the auxiliary lesion loss needs the per-image lesion counts that synthetic datasets come with (real EyePACS data has none)',
    );
  }
  return { path, rows: parseLesionsCsv(text, path) };
}

/** Each record's counts, in record order; every image must have a row that agrees on its grade. */
export function lesionCountsOf(
  records: ReadonlyArray<Pick<KaggleRecord, 'image' | 'level'>>,
  rows: ReadonlyMap<string, LesionRow>,
  file: string,
): number[][] {
  return records.map(({ image, level }) => {
    const row = rows.get(image);
    if (!row) throw new DataError(file, undefined, `no lesion counts for image "${image}" (listed in ${LABELS_FILE})`);
    if (row.level !== level)
      throw new DataError(
        file,
        row.line,
        `image "${image}" has level ${row.level} here but ${level} in ${LABELS_FILE}`,
      );
    return [...row.counts];
  });
}

export function fitStandardisation(counts: readonly (readonly number[])[]): LesionStandardisation {
  if (counts.length === 0) throw new RangeError('no rows to standardise on');
  const columns = LESION_COLUMNS.length;
  const mean = new Array<number>(columns).fill(0);
  const squares = new Array<number>(columns).fill(0);
  for (const row of counts) {
    for (let c = 0; c < columns; c++) {
      const v = Math.log1p(row[c]!);
      mean[c]! += v;
      squares[c]! += v * v;
    }
  }
  const n = counts.length;
  for (let c = 0; c < columns; c++) mean[c]! /= n;
  const std = squares.map((s, c) => {
    const sd = Math.sqrt(Math.max(0, s / n - mean[c]! ** 2));
    return sd > 1e-6 ? sd : 1;
  });
  return { columns: [...LESION_COLUMNS], mean, std };
}

/** (log1p(count) − mean) / std, row-major. */
export function standardisedTargets(counts: readonly (readonly number[])[], s: LesionStandardisation): Float32Array {
  const columns = s.columns.length;
  const out = new Float32Array(counts.length * columns);
  counts.forEach((row, r) => {
    for (let c = 0; c < columns; c++) out[r * columns + c] = (Math.log1p(row[c]!) - s.mean[c]!) / s.std[c]!;
  });
  return out;
}

/** Targets of a split, standardised on its training part. */
export async function lesionTargets(
  dataDir: string,
  train: ReadonlyArray<Pick<KaggleRecord, 'image' | 'level'>>,
  validation: ReadonlyArray<Pick<KaggleRecord, 'image' | 'level'>>,
): Promise<LesionTargets> {
  const { path, rows } = await readLesionsCsv(dataDir);
  const trainCounts = lesionCountsOf(train, rows, path);
  const standardisation = fitStandardisation(trainCounts);
  return {
    standardisation,
    train: standardisedTargets(trainCounts, standardisation),
    validation: standardisedTargets(lesionCountsOf(validation, rows, path), standardisation),
  };
}
