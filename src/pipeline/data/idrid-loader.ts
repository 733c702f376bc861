/**
 * IDRiD's disease-grading layout: `labels.csv` (`Image name,Retinopathy grade,Risk of macular edema `)
 * and `images/IDRiD_001.jpg …`. No patient ids are published, so each image is its own patient.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from './data-error.js';
import type { FundusRecord } from './fundus-record.js';
import { parseIdridLabelsCsv } from './idrid-labels-csv.js';
import { indexImages, isDirectory } from './kaggle-loader.js';

export interface IdridLoadOptions {
  /** Default: `<dir>/labels.csv`. */
  readonly labelsPath?: string;
  /** Default: `<dir>/images` and `<dir>`, in that order. */
  readonly imagesDirs?: readonly string[];
}

export const IDRID_LABELS_FILE = 'labels.csv';

/** Tried in this order for each id; IDRiD ships `.jpg`. */
export const IDRID_IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png'] as const;

/** Read and check the labels, and find every image file; throws DataError naming the file and line. */
export async function loadIdridDataset(dir: string, options: IdridLoadOptions = {}): Promise<FundusRecord[]> {
  const labelsPath = options.labelsPath ?? join(dir, IDRID_LABELS_FILE);
  let text: string;
  try {
    text = await readFile(labelsPath, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'labels file not found (expected an IDRiD CSV with columns Image name,Retinopathy grade,Risk of macular edema)'
        : `cannot read labels file: ${(error as Error).message}`;
    throw new DataError(labelsPath, undefined, reason);
  }
  const rows = parseIdridLabelsCsv(text, labelsPath);

  const candidates = options.imagesDirs ?? [join(dir, 'images'), dir];
  const dirs: string[] = [];
  for (const d of candidates) if (await isDirectory(d)) dirs.push(d);
  const index = await indexImages(dirs);
  return rows.map((row) => {
    const path = IDRID_IMAGE_EXTENSIONS.map((ext) => index.get(row.image + ext)).find((p) => p !== undefined);
    if (!path) {
      throw new DataError(labelsPath, row.line, `image "${row.image}" not found: no ${IDRID_IMAGE_EXTENSIONS.map((e) => row.image + e).join(', ')} in ${dirs.join(', ') || candidates.join(', ')}`);
    }
    return { image: row.image, level: row.level, patientId: row.image, eye: null, path, macularEdemaRisk: row.macularEdemaRisk };
  });
}
