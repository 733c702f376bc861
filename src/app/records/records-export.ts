import { toCsv } from '../../shared/csv.js';
import { GRADE_NAMES } from '../../shared/grades.js';
import type { ScreeningRecord, VariantRecord } from './screening-record.js';

const GRADES = GRADE_NAMES.map((_, i) => i);

const variantColumns = (prefix: string) => [
  `${prefix}_backend`,
  `${prefix}_grade`,
  ...GRADES.map((g) => `${prefix}_p${g}`),
  `${prefix}_ms`,
];

export const CSV_COLUMNS = [
  'id',
  'created_at',
  'patient_id',
  'eye',
  'grade',
  'grade_name',
  'refer',
  'refer_by',
  'referable_probability',
  'variants_agree',
  'model_id',
  'model_version',
  'weights',
  'demo_model',
  ...variantColumns('tfjs'),
  ...variantColumns('onnx'),
  'photo_name',
] as const;

const variantCells = (v: VariantRecord) => [
  v.backend,
  v.grade,
  ...v.probabilities.map((p) => p.toFixed(6)),
  v.ms.toFixed(1),
];

/**
 * RFC 4180, with a leading apostrophe for text a spreadsheet would run as a formula (a patient id
 * typed as "=HYPERLINK(...)" must stay text).
 */
export function recordsToCsv(records: readonly ScreeningRecord[]): string {
  const rows = records.map((r) => [
    r.id,
    new Date(r.createdAt).toISOString(),
    r.patientId,
    r.eye,
    r.grade,
    GRADE_NAMES[r.grade],
    r.refer,
    r.referBy ?? '',
    r.referableProbability.toFixed(6),
    r.agree,
    r.model.id,
    r.model.version,
    r.model.weights,
    r.model.demo,
    ...variantCells(r.tfjs),
    ...variantCells(r.ort),
    r.photo.name,
  ]);
  return toCsv([CSV_COLUMNS, ...rows], { guardFormulas: true });
}

function dataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error ?? new Error('thumbnail could not be read'));
    reader.readAsDataURL(blob);
  });
}

/** Every field of every record; thumbnails become data: URLs so the file is complete on its own. */
export async function recordsToJson(records: readonly ScreeningRecord[], exportedAt = new Date()): Promise<string> {
  const screenings = await Promise.all(
    records.map(async (r) => ({
      ...r,
      createdAt: new Date(r.createdAt).toISOString(),
      thumbnail: await dataUrl(r.thumbnail),
    })),
  );
  return JSON.stringify(
    { format: 'fundus-grader-screenings', version: 1, exportedAt: exportedAt.toISOString(), screenings },
    null,
    2,
  );
}

/** Saves text as a file through a temporary blob: URL (no network involved). */
export function downloadText(fileName: string, text: string, mimeType: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mimeType }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked on the next task: the download has started by then.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
