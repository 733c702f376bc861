/**
 * The records a screening visit leaves on this device: one per photo, of two kinds.
 * - A graded photo (`kind: 'graded'`, ScreeningRecord): both variants' answers, the outcome the worker
 *   decided, the quality gate's verdict and the variants' heatmaps.
 * - A photo kept without grading (`kind: 'ungraded'`): no retina found, or judged ungradable and the
 *   screener did not grade it anyway. It has its thumbnail, verdict and reason, and no model answer.
 * Photos of one visit share a `visitId`; the visit's outcome (each eye, the patient's referral) is
 * decided from them by src/shared/visit-outcome.ts (see visit-photo.ts), never stored.
 * Nothing here ever leaves the device unless exported.
 */
import type { Grade } from '../../shared/grades.js';
import type { GradeResult, InspectResult, ModelSummary, QualityReport, VariantResult } from '../../shared/protocol.js';
import type { ReferralReason } from '../../shared/referral.js';
import { screeningOutcome } from '../../shared/screening-outcome.js';
import type { PhotoEye } from '../../shared/visit-outcome.js';
import { compactHeatmap, type StoredHeatmap } from './stored-heatmap.js';

export type Eye = PhotoEye;

export interface VariantRecord {
  backend: string;
  grade: Grade;
  probabilities: number[];
  ms: number;
  fallback?: string;
}

/** What every photo record has. */
interface PhotoRecordBase {
  id: string;
  /** The visit the photo belongs to; a record saved before visits existed is a visit of its own (its id). */
  visitId: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** As typed, trimmed; empty when the screener gave none. */
  patientId: string;
  eye: Eye;
  /** The file as chosen, and its size in pixels as stored in the file. */
  photo: { name: string; width: number; height: number };
  /** The quality gate's verdict (issues with their messages, measures); absent in records from before the gate. */
  quality?: QualityReport;
}

/** A graded photo. */
export interface ScreeningRecord extends PhotoRecordBase {
  kind: 'graded';
  /** The retina crop the models saw, as a small JPEG. */
  thumbnail: Blob;
  model: ModelSummary;
  tfjs: VariantRecord;
  ort: VariantRecord;
  /**
   * The screening's outcome as the worker decided it (GradeResult.outcome): the grade acted on (the
   * higher one when the variants disagree), whether they agree, referral and why (by grade or by the
   * model's threshold), and the higher P(grade ≥ 2).
   */
  grade: Grade;
  agree: boolean;
  refer: boolean;
  referBy: ReferralReason;
  referableProbability: number;
  /** Graded although the quality gate judged the photo ungradable. */
  gradedAnyway: boolean;
  /** Where each variant looked (Grad-CAM); absent in records from before heatmaps. */
  heatmaps?: { tfjs: StoredHeatmap; ort: StoredHeatmap };
}

export type GradedPhotoRecord = ScreeningRecord;

/** A photo kept in its visit without grading. */
export interface UngradedPhotoRecord extends PhotoRecordBase {
  kind: 'ungraded';
  /** A small JPEG of the photo; null when none could be made. */
  thumbnail: Blob | null;
  /** Why it was not graded, in the screener's words (the field of view's or the quality gate's message). */
  reason: string;
}

/** Any photo of a visit. */
export type PhotoRecord = ScreeningRecord | UngradedPhotoRecord;

/**
 * A graded record as IndexedDB may hold it. Records saved by earlier versions lack what was added since:
 * `referBy` and `referableProbability` (the decision itself, `refer`, was always saved), and `kind`,
 * `visitId` and `gradedAnyway` (before visits).
 */
export type StoredScreeningRecord = Omit<
  ScreeningRecord,
  'kind' | 'visitId' | 'gradedAnyway' | 'referBy' | 'referableProbability'
> &
  Partial<Pick<ScreeningRecord, 'kind' | 'visitId' | 'gradedAnyway' | 'referBy' | 'referableProbability'>>;

/** Any record as IndexedDB may hold it. */
export type StoredPhotoRecord = StoredScreeningRecord | UngradedPhotoRecord;

export interface ScreeningInput {
  patientId: string;
  eye: Eye;
  fileName: string;
  /** The visit the photo belongs to; omitted, the photo is a visit of its own (visitId = the record's id). */
  visitId?: string;
  /**
   * The screener graded the photo although the quality gate judged it ungradable. Omitted, it is read
   * from the result's verdict (a graded photo with an 'ungradable' verdict was graded anyway).
   */
  gradedAnyway?: boolean;
}

/** A new visit's id, for the photos the screener takes next. */
export function newVisitId(): string {
  return crypto.randomUUID();
}

function variantRecord(variant: VariantResult): VariantRecord {
  const record: VariantRecord = {
    backend: variant.backend,
    grade: variant.grade,
    probabilities: variant.probabilities,
    ms: variant.ms,
  };
  if (variant.fallback) record.fallback = variant.fallback;
  return record;
}

/** The record of a graded photo, from the worker's result and what the screener entered. */
export function toScreeningRecord(result: GradeResult, input: ScreeningInput, now = Date.now()): ScreeningRecord {
  const { tfjs, ort } = result.variants;
  const id = crypto.randomUUID();
  const record: ScreeningRecord = {
    kind: 'graded',
    id,
    visitId: input.visitId ?? id,
    createdAt: now,
    patientId: input.patientId.trim(),
    eye: input.eye,
    thumbnail: new Blob([result.thumbnail.bytes], { type: result.thumbnail.mimeType }),
    model: result.model,
    tfjs: variantRecord(tfjs),
    ort: variantRecord(ort),
    ...outcomeFields(result.outcome),
    gradedAnyway: input.gradedAnyway ?? result.quality.verdict === 'ungradable',
    photo: { name: input.fileName, width: result.image.sourceWidth, height: result.image.sourceHeight },
    quality: result.quality,
  };
  if (tfjs.heatmap && ort.heatmap)
    record.heatmaps = { tfjs: compactHeatmap(tfjs.heatmap), ort: compactHeatmap(ort.heatmap) };
  return record;
}

function outcomeFields({ grade, agree, refer, referBy, referableProbability }: GradeResult['outcome']) {
  return { grade, agree, refer, referBy, referableProbability };
}

/**
 * What a photo kept without grading needs of `inspect`'s answer, and its thumbnail (InspectResult has
 * none: make one from its preview with thumbnailFromPixels).
 */
export type UngradedSource = Pick<InspectResult, 'image' | 'fov' | 'quality'> & { thumbnail: Blob | null };

/** Why a photo is not graded: no retina found, else the quality gate's first reason. */
export function notGradedReason({ fov, quality }: Pick<InspectResult, 'fov' | 'quality'>): string {
  if (!fov.found) return fov.message;
  return quality.issues[0]?.message ?? 'Not graded';
}

/** The record of a photo kept in its visit without grading. */
export function toUngradedRecord(
  source: UngradedSource,
  input: Omit<ScreeningInput, 'gradedAnyway'>,
  now = Date.now(),
): UngradedPhotoRecord {
  const id = crypto.randomUUID();
  return {
    kind: 'ungraded',
    id,
    visitId: input.visitId ?? id,
    createdAt: now,
    patientId: input.patientId.trim(),
    eye: input.eye,
    thumbnail: source.thumbnail,
    reason: notGradedReason(source),
    photo: { name: input.fileName, width: source.image.sourceWidth, height: source.image.sourceHeight },
    quality: source.quality,
  };
}

/**
 * The reader of stored graded records: a record from before results carried the whole outcome gets the
 * fields it lacks, derived from its own variants and model by the rule the worker applies; one from
 * before visits becomes a graded photo in a visit of its own (visitId = its id), not graded anyway, its
 * eye as saved. What was saved (grade, agreement, the referral itself) stays as saved.
 */
export function readScreeningRecord(stored: StoredScreeningRecord): ScreeningRecord {
  const visit = {
    kind: 'graded' as const,
    visitId: stored.visitId ?? stored.id,
    gradedAnyway: stored.gradedAnyway ?? false,
  };
  if (stored.referBy !== undefined && stored.referableProbability !== undefined)
    return { ...stored, ...visit, referBy: stored.referBy, referableProbability: stored.referableProbability };
  const derived = screeningOutcome(stored.tfjs, stored.ort, stored.model.referralThreshold);
  return {
    ...stored,
    ...visit,
    referBy: stored.referBy ?? (stored.refer ? (derived.referBy ?? 'grade') : null),
    referableProbability: stored.referableProbability ?? derived.referableProbability,
  };
}

/** The one reader of stored records (ScreeningStore reads every record through it). */
export function readPhotoRecord(stored: StoredPhotoRecord): PhotoRecord {
  return stored.kind === 'ungraded' ? stored : readScreeningRecord(stored);
}

export function isGradedRecord(record: PhotoRecord): record is ScreeningRecord {
  return record.kind === 'graded';
}
