/**
 * What the printed report of one visit says, as plain text and the photos it shows: built from the
 * visit's records by the same rule as the history and the visit screen (recordsVisitOutcome), so the
 * paper can never disagree with the screen. The component (fg-visit-report) only lays it out.
 */
import { gradeName, REFERABLE_FROM, type Grade } from '../../shared/grades.js';
import type { ModelSummary } from '../../shared/protocol.js';
import { describeEye, EYE_NAMES, type EyeOutcome, type PhotoEye } from '../../shared/visit-outcome.js';
import { modelNotice } from '../components/fg-grade-result.js';
import { NO_PATIENT_ID_LABEL } from '../records/history-groups.js';
import type { PhotoRecord } from '../records/screening-record.js';
import { recordsVisitOutcome } from '../records/visit-photo.js';
import { RUNTIME_LABELS } from '../runtime-labels.js';

/** Said on every report, whatever the model's own notice says. */
export const APP_STATEMENT =
  'Fundus Grader is not a medical device and not for clinical use: this report is a screening aid, not a diagnosis.';
export const PRIVACY_STATEMENT = 'Generated on this device; no data left it.';
export const NO_CREDIT = 'No training data credit recorded for this model.';

export interface ReportEye {
  eye: PhotoEye;
  /** 'Right eye', 'Left eye', 'Eye not recorded'. */
  name: string;
  status: EyeOutcome['status'];
  /** The eye's result in words, e.g. 'Grade 2 Moderate — referable', 'Missing: no photo'. */
  result: string;
  /** The photo the result rests on (its thumbnail is shown); null for a missing eye. */
  photo: PhotoRecord | null;
  /** The quality check of that photo: the verdict, then each reason's message. */
  quality: string[];
  /** How the two model variants graded that photo; null when it was not graded. */
  agreement: string | null;
  /** P(grade ≥ 2) of that photo, the higher of the two variants'; null when it was not graded. */
  probability: string | null;
  /** The eye's other photos, e.g. 'One more photo of this eye (not graded)'; null when there are none. */
  otherPhotos: string | null;
}

export interface ReportModel {
  label: string;
  notice: string | null;
  credit: string;
}

export interface VisitReport {
  visitId: string;
  /** The patient id, or 'No patient id'. */
  patient: string;
  /** The visit's first photo's time (ms since the epoch). */
  startedAt: number;
  photoCount: number;
  refer: boolean;
  complete: boolean;
  /** The decision for the patient, e.g. 'Refer to an ophthalmologist'. */
  decision: string;
  /** Why, one line each. */
  reasons: string[];
  /** Right eye, left eye, then the photos saved without an eye when there are any. */
  eyes: ReportEye[];
  /** Every model that graded a photo of the visit (usually one). */
  models: ReportModel[];
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'long', timeStyle: 'short' });

/** A time as the report prints it. */
export function formatReportTime(ms: number): string {
  return dateTime.format(ms);
}

const percent = (p: number) => `${Math.round(p * 100)} %`;
const gradeText = (grade: Grade) => `grade ${grade} ${gradeName(grade)}`;

function qualityLines(photo: PhotoRecord): string[] {
  const { quality } = photo;
  if (!quality) return ['Quality not checked (saved before the quality check existed)'];
  if (quality.verdict === 'gradable') return ['Quality: gradable'];
  const lines = ['Quality: ungradable', ...quality.issues.map((issue) => issue.message)];
  if (photo.kind === 'graded' && photo.gradedAnyway) lines.push('Graded anyway, at the screener’s request');
  return lines;
}

function agreement(photo: PhotoRecord): string | null {
  if (photo.kind !== 'graded') return null;
  if (photo.agree)
    return `Both model variants (${RUNTIME_LABELS.tfjs}, ${RUNTIME_LABELS.ort}) agree: ${gradeText(photo.grade)}`;
  return (
    `The model variants disagree: ${RUNTIME_LABELS.tfjs} ${gradeText(photo.tfjs.grade)}, ` +
    `${RUNTIME_LABELS.ort} ${gradeText(photo.ort.grade)}; the more severe is reported`
  );
}

function otherPhotos(photos: readonly PhotoRecord[], shown: PhotoRecord | null): string | null {
  const others = photos.filter((photo) => photo !== shown);
  if (others.length === 0) return null;
  const notGraded = others.filter((photo) => photo.kind === 'ungraded').length;
  const count = others.length === 1 ? 'One more photo' : `${others.length} more photos`;
  const which =
    notGraded === 0 ? 'graded' : notGraded === others.length ? 'not graded' : `${notGraded} of them not graded`;
  return `${count} of this eye (${which})`;
}

function reportEye(eye: PhotoEye, outcome: EyeOutcome, photos: readonly PhotoRecord[]): ReportEye {
  const deciding = outcome.status === 'missing' ? null : outcome.decidingPhotoId;
  const photo = photos.find((record) => record.id === deciding) ?? null;
  const result = describeEye(outcome);
  return {
    eye,
    name: EYE_NAMES[eye],
    status: outcome.status,
    result,
    photo,
    // An ungradable eye's result already gives the quality check's reason.
    quality: photo ? qualityLines(photo).filter((line) => line !== result) : [],
    agreement: photo ? agreement(photo) : null,
    probability:
      photo?.kind === 'graded'
        ? `Probability of grade ${REFERABLE_FROM} or higher: ${percent(photo.referableProbability)}`
        : null,
    otherPhotos: otherPhotos(photos, photo),
  };
}

function modelLabel({ name, id, version, weights }: ModelSummary): string {
  return `${name} — ${id}, version ${version} (${weights} weights)`;
}

function reportModels(records: readonly PhotoRecord[]): ReportModel[] {
  const models = new Map<string, ReportModel>();
  for (const record of records) {
    if (record.kind !== 'graded') continue;
    const { model } = record;
    const key = JSON.stringify([model.id, model.version, model.weights]);
    if (!models.has(key))
      models.set(key, { label: modelLabel(model), notice: modelNotice(model), credit: model.credit ?? NO_CREDIT });
  }
  return [...models.values()];
}

function decisionText(refer: boolean, complete: boolean): string {
  if (refer) return 'Refer to an ophthalmologist';
  return complete ? 'No referral needed' : 'Incomplete: nothing referable so far';
}

function reasonLines(refer: boolean, complete: boolean, reasons: string[], eyes: readonly ReportEye[]): string[] {
  const missing = eyes.filter((eye) => eye.status === 'missing').map((eye) => `${eye.name}: no photo.`);
  if (refer) return [...reasons, ...missing];
  if (!complete) return [...missing, 'Screen the missing eye before deciding.'];
  return [`No eye reaches grade ${REFERABLE_FROM} (${gradeName(REFERABLE_FROM)}) or the model's referral threshold.`];
}

/**
 * The report of one visit from its records (every photo of one visitId, any order). Eyes read right
 * then left, as eye records and the visit's reasons do (OD before OS).
 */
export function visitReport(records: readonly PhotoRecord[]): VisitReport {
  if (records.length === 0) throw new RangeError('a visit report needs at least one photo');
  const outcome = recordsVisitOutcome(records);
  const of = (eye: PhotoEye) => records.filter((record) => record.eye === eye);
  const eyes = [reportEye('right', outcome.right, of('right')), reportEye('left', outcome.left, of('left'))];
  if (outcome.unspecified) eyes.push(reportEye('unspecified', outcome.unspecified, of('unspecified')));
  const first = records.reduce((a, b) => (b.createdAt < a.createdAt ? b : a));
  return {
    visitId: first.visitId,
    patient: first.patientId || NO_PATIENT_ID_LABEL,
    startedAt: first.createdAt,
    photoCount: records.length,
    refer: outcome.refer,
    complete: outcome.complete,
    decision: decisionText(outcome.refer, outcome.complete),
    reasons: reasonLines(outcome.refer, outcome.complete, outcome.reasons, eyes),
    eyes,
    models: reportModels(records),
  };
}
