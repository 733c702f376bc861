/**
 * Load a labelled fundus dataset in whichever layout it is: IDRiD disease grading (`labels.csv`
 * with the IDRiD header + `images/`) or Kaggle EyePACS (`trainLabels.csv` + images, which our
 * synthetic datasets share).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError } from './data-error.js';
import { fromKaggleRecord, type FundusRecord } from './fundus-record.js';
import { IDRID_COLUMNS, isIdridHeader } from './idrid-labels-csv.js';
import { IDRID_LABELS_FILE, loadIdridDataset } from './idrid-loader.js';
import { isDirectory, loadKaggleDataset } from './kaggle-loader.js';

export type DatasetLayout = 'idrid' | 'kaggle';

export const KAGGLE_LABELS_FILE = 'trainLabels.csv';

const EXPECTED =
  `expected either an IDRiD folder (${IDRID_LABELS_FILE} with header "${IDRID_COLUMNS.join(',')}" and images/) ` +
  `or a Kaggle EyePACS folder (${KAGGLE_LABELS_FILE} with columns image,level and the images)`;

/** The text of a file, or undefined when there is none; other read errors are DataErrors. */
async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') return undefined;
    throw new DataError(path, undefined, `cannot read labels file: ${(error as Error).message}`);
  }
}

/**
 * Which layout `dir` holds: `labels.csv` with the IDRiD header → 'idrid'; `trainLabels.csv` →
 * 'kaggle'. Throws a DataError saying what was expected when it is neither, or both.
 */
export async function detectDatasetLayout(dir: string): Promise<DatasetLayout> {
  if (!(await isDirectory(dir))) throw new DataError(dir, undefined, `not a directory; ${EXPECTED}`);
  const idridPath = join(dir, IDRID_LABELS_FILE);
  const kagglePath = join(dir, KAGGLE_LABELS_FILE);
  const idridText = await readIfPresent(idridPath);
  const hasKaggle = (await readIfPresent(kagglePath)) !== undefined;

  let idrid = false;
  let headerProblem: DataError | undefined;
  if (idridText !== undefined) {
    const lines = idridText.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
    const headerAt = lines.findIndex((l) => l.trim() !== '');
    if (headerAt >= 0 && isIdridHeader(lines[headerAt]!)) idrid = true;
    else if (headerAt < 0) headerProblem = new DataError(idridPath, undefined, `file is empty; ${EXPECTED}`);
    else headerProblem = new DataError(idridPath, headerAt + 1, `header "${lines[headerAt]!.trim()}" is not IDRiD's; ${EXPECTED}`);
  }

  if (idrid && hasKaggle) {
    throw new DataError(dir, undefined, `ambiguous dataset folder: both ${IDRID_LABELS_FILE} (IDRiD) and ${KAGGLE_LABELS_FILE} (Kaggle) are present; remove one, or call loadIdridDataset / loadKaggleDataset directly`);
  }
  if (idrid) return 'idrid';
  if (hasKaggle) return 'kaggle';
  if (headerProblem) throw headerProblem;
  throw new DataError(dir, undefined, `no labels file found (neither ${IDRID_LABELS_FILE} nor ${KAGGLE_LABELS_FILE}); ${EXPECTED}`);
}

/** Detect the layout and load it; Kaggle records come back with `macularEdemaRisk: null`. */
export async function loadFundusDataset(dir: string): Promise<FundusRecord[]> {
  return (await detectDatasetLayout(dir)) === 'idrid' ? loadIdridDataset(dir) : (await loadKaggleDataset(dir)).map(fromKaggleRecord);
}
