import type { Grade } from '../../shared/grades.js';
import type { GradeResult, ModelSummary, VariantResult } from '../../shared/protocol.js';
import type { ReferralReason } from '../../shared/referral.js';
import { screeningOutcome } from '../../shared/screening-outcome.js';

export type Eye = 'left' | 'right' | 'unspecified';

export interface VariantRecord {
  backend: string;
  grade: Grade;
  probabilities: number[];
  ms: number;
  fallback?: string;
}

/** One screening as kept in IndexedDB on this device. Nothing here ever leaves it unless exported. */
export interface ScreeningRecord {
  id: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  patientId: string;
  eye: Eye;
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
  photo: { name: string; width: number; height: number };
}

/**
 * A record as IndexedDB may hold it: records saved before results carried the whole outcome have no
 * `referBy` and `referableProbability` (the decision itself, `refer`, was always saved).
 */
export type StoredScreeningRecord = Omit<ScreeningRecord, 'referBy' | 'referableProbability'> &
  Partial<Pick<ScreeningRecord, 'referBy' | 'referableProbability'>>;

export interface ScreeningInput {
  patientId: string;
  eye: Eye;
  fileName: string;
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

export function toScreeningRecord(result: GradeResult, input: ScreeningInput, now = Date.now()): ScreeningRecord {
  const { tfjs, ort } = result.variants;
  return {
    id: crypto.randomUUID(),
    createdAt: now,
    patientId: input.patientId.trim(),
    eye: input.eye,
    thumbnail: new Blob([result.thumbnail.bytes], { type: result.thumbnail.mimeType }),
    model: result.model,
    tfjs: variantRecord(tfjs),
    ort: variantRecord(ort),
    ...outcomeFields(result.outcome),
    photo: { name: input.fileName, width: result.image.sourceWidth, height: result.image.sourceHeight },
  };
}

function outcomeFields({ grade, agree, refer, referBy, referableProbability }: GradeResult['outcome']) {
  return { grade, agree, refer, referBy, referableProbability };
}

/**
 * The one reader of stored records (ScreeningStore.get and list): a record from before results
 * carried the whole outcome gets the fields it lacks, derived from its own variants and model by the
 * rule the worker applies. What was saved (grade, agreement, the referral itself) stays as saved.
 */
export function readScreeningRecord(stored: StoredScreeningRecord): ScreeningRecord {
  if (stored.referBy !== undefined && stored.referableProbability !== undefined) return stored as ScreeningRecord;
  const derived = screeningOutcome(stored.tfjs, stored.ort, stored.model.referralThreshold);
  return {
    ...stored,
    referBy: stored.referBy ?? (stored.refer ? (derived.referBy ?? 'grade') : null),
    referableProbability: stored.referableProbability ?? derived.referableProbability,
  };
}
