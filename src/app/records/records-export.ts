import { toCsv, type CsvValue } from '../../shared/csv.js';
import { GRADE_NAMES } from '../../shared/grades.js';
import type { EyeOutcome } from '../../shared/visit-outcome.js';
import { groupHistory, type HistoryVisit } from './history-groups.js';
import type { PhotoRecord, VariantRecord } from './screening-record.js';
import { expandHeatmap } from './stored-heatmap.js';

const GRADES = GRADE_NAMES.map((_, i) => i);

const variantColumns = (prefix: string) => [
  `${prefix}_backend`,
  `${prefix}_grade`,
  ...GRADES.map((g) => `${prefix}_p${g}`),
  `${prefix}_ms`,
];

const eyeColumns = (prefix: string) => [prefix, `${prefix}_grade`, `${prefix}_refer`];

/**
 * One row per photo. The photo's own columns come first (as before visits, in the same order); then
 * the photo's kind and quality, then its visit's, repeated on every photo of the visit: each eye's
 * result (graded, ungradable or missing; its grade; whether it refers) and the patient's referral.
 */
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
  'record_kind',
  'not_graded_reason',
  'quality_verdict',
  'quality_reasons',
  'graded_anyway',
  'visit_id',
  'visit_date',
  'visit_complete',
  ...eyeColumns('right_eye'),
  ...eyeColumns('left_eye'),
  ...eyeColumns('unrecorded_eye'),
  'patient_refer',
  'patient_refer_reasons',
] as const;

/** Several reasons in one cell. */
const REASON_SEPARATOR = '; ';

const variantCells = (v: VariantRecord | undefined): CsvValue[] =>
  v
    ? [v.backend, v.grade, ...v.probabilities.map((p) => p.toFixed(6)), v.ms.toFixed(1)]
    : variantColumns('').map(() => '');

function photoCells(r: PhotoRecord): CsvValue[] {
  const graded = r.kind === 'graded' ? r : undefined;
  return [
    r.id,
    new Date(r.createdAt).toISOString(),
    r.patientId,
    r.eye,
    graded?.grade,
    graded && GRADE_NAMES[graded.grade],
    graded?.refer,
    graded && (graded.referBy ?? ''),
    graded?.referableProbability.toFixed(6),
    graded?.agree,
    graded?.model.id,
    graded?.model.version,
    graded?.model.weights,
    graded?.model.demo,
    ...variantCells(graded?.tfjs),
    ...variantCells(graded?.ort),
    r.photo.name,
    r.kind,
    r.kind === 'ungraded' ? r.reason : '',
    r.quality?.verdict,
    r.quality?.issues.map((issue) => issue.message).join(REASON_SEPARATOR),
    graded?.gradedAnyway,
  ];
}

/** An eye's status, grade and referral; empty for a slot the visit does not have. */
const eyeCells = (eye: EyeOutcome | null): CsvValue[] =>
  eye === null
    ? ['', '', '']
    : eye.status === 'graded'
      ? [eye.status, eye.grade, eye.refer]
      : [eye.status, '', eye.status === 'ungradable'];

function visitCells({ visitId, startedAt, outcome }: HistoryVisit): CsvValue[] {
  return [
    visitId,
    new Date(startedAt).toISOString(),
    outcome.complete,
    ...eyeCells(outcome.right),
    ...eyeCells(outcome.left),
    ...eyeCells(outcome.unspecified),
    outcome.refer,
    outcome.reasons.join(REASON_SEPARATOR),
  ];
}

/** Each record's visit, as groupHistory makes it from the records given. */
function visitsByRecord(records: readonly PhotoRecord[]): Map<string, HistoryVisit> {
  const byRecord = new Map<string, HistoryVisit>();
  for (const patient of groupHistory(records))
    for (const visit of patient.visits) for (const photo of visit.photos) byRecord.set(photo.id, visit);
  return byRecord;
}

/**
 * RFC 4180, with a leading apostrophe for text a spreadsheet would run as a formula (a patient id
 * typed as "=HYPERLINK(...)" must stay text). The visit columns are decided from the records given:
 * pass whole visits (the store's listPhotos), or a visit's missing photos read as missing.
 */
export function recordsToCsv(records: readonly PhotoRecord[]): string {
  const visits = visitsByRecord(records);
  const rows = records.map((r) => [...photoCells(r), ...visitCells(visits.get(r.id)!)]);
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

async function photoJson(r: PhotoRecord) {
  const common = {
    createdAt: new Date(r.createdAt).toISOString(),
    thumbnail: r.thumbnail && (await dataUrl(r.thumbnail)),
  };
  if (r.kind === 'ungraded') return { ...r, ...common };
  const { heatmaps, ...rest } = r;
  return {
    ...rest,
    ...common,
    ...(heatmaps ? { heatmaps: { tfjs: expandHeatmap(heatmaps.tfjs), ort: expandHeatmap(heatmaps.ort) } } : {}),
  };
}

function visitJson({ visitId, patientId, startedAt, photos, outcome }: HistoryVisit) {
  return {
    visitId,
    patientId,
    startedAt: new Date(startedAt).toISOString(),
    ...outcome,
    photoIds: photos.map((photo) => photo.id),
  };
}

/**
 * Every field of every record (`screenings`, one per photo: thumbnails as data: URLs, heatmaps with 0–1
 * values, so the file is complete on its own), and every visit's outcome (`visits`, newest first, the
 * photos by id), decided from the records given as in recordsToCsv.
 */
export async function recordsToJson(records: readonly PhotoRecord[], exportedAt = new Date()): Promise<string> {
  const screenings = await Promise.all(records.map(photoJson));
  const visits = groupHistory(records)
    .flatMap((patient) => patient.visits)
    .sort((a, b) => b.startedAt - a.startedAt)
    .map(visitJson);
  return JSON.stringify(
    { format: 'fundus-grader-screenings', version: 2, exportedAt: exportedAt.toISOString(), screenings, visits },
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
