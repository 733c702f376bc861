import type { Grade } from '../../shared/grades.js';
import type { GradeResult, ModelSummary, VariantResult } from '../../shared/protocol.js';
import { screeningOutcome, type ScreeningOutcome } from '../screening-outcome.js';

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
  /** The grade acted on (the higher one when the variants disagree), whether they agree, referral (by grade or by the model's threshold). */
  grade: Grade;
  agree: boolean;
  refer: boolean;
  photo: { name: string; width: number; height: number };
}

export interface ScreeningInput {
  patientId: string;
  eye: Eye;
  fileName: string;
}

function variantRecord(variant: VariantResult): VariantRecord {
  const record: VariantRecord = { backend: variant.backend, grade: variant.grade, probabilities: variant.probabilities, ms: variant.ms };
  if (variant.fallback) record.fallback = variant.fallback;
  return record;
}

/** What a record keeps of the outcome (the probabilities are in the variants). */
function referralFields({ grade, agree, refer }: ScreeningOutcome): Pick<ScreeningRecord, 'grade' | 'agree' | 'refer'> {
  return { grade, agree, refer };
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
    ...referralFields(screeningOutcome(tfjs, ort, result.model.referralThreshold)),
    photo: { name: input.fileName, width: result.image.sourceWidth, height: result.image.sourceHeight },
  };
}
