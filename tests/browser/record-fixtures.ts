// Screening records for tests, built the way the app builds them (toScreeningRecord, toUngradedRecord).
import type { Grade } from '../../src/shared/grades.js';
import type { GradeResult, Heatmap, QualityReport, VariantResult } from '../../src/shared/protocol.js';
import { screeningOutcome } from '../../src/shared/screening-outcome.js';
import {
  toScreeningRecord,
  toUngradedRecord,
  type Eye,
  type ScreeningRecord,
  type UngradedPhotoRecord,
} from '../../src/app/records/screening-record.js';

const one = (grade: Grade) => [0, 1, 2, 3, 4].map((g) => (g === grade ? 0.6 : 0.1));

const MEASURES: QualityReport['measures'] = {
  fovFound: true,
  fovVerdict: 'ok',
  fovFrameFraction: 1.1,
  fovDiameterPx: 2900,
  focus: 55,
  darkFraction: 0.01,
  brightFraction: 0.02,
  medianLuma: 96,
  illuminationRatio: 0.6,
  blockiness: 1.2,
};

/** The quality gate's verdict on a good photo. */
export const GRADABLE: QualityReport = { verdict: 'gradable', issues: [], measures: MEASURES };

export const BLURRED_MESSAGE = 'Ungradable: too blurred (focus 12, needs ≥ 28) — retake the photo';

/** The quality gate's verdict on a blurred photo. */
export const BLURRED: QualityReport = {
  verdict: 'ungradable',
  issues: [{ reason: 'blurred', value: 12, limit: 28, message: BLURRED_MESSAGE }],
  measures: { ...MEASURES, focus: 12 },
};

/** A 2×2 Grad-CAM map, as a variant returns it. */
export function heatmap(grade: Grade): Heatmap {
  return { grade, width: 2, height: 2, values: [0, 0.25, 0.5, 1], ms: 3.5 };
}

/** A grading as the worker returns it; `referralThreshold` as a trained model's manifest entry carries it. */
export function gradeResult(
  tfjsGrade: Grade,
  ortGrade: Grade = tfjsGrade,
  referralThreshold?: number,
  quality: QualityReport = GRADABLE,
): GradeResult {
  const tfjs: VariantResult = {
    runtime: 'tfjs',
    backend: 'webgpu',
    probabilities: one(tfjsGrade),
    grade: tfjsGrade,
    ms: 41.5,
    startedAt: 1_700_000_000_000,
    endedAt: 1_700_000_000_041.5,
    heatmap: heatmap(tfjsGrade),
  };
  const ort: VariantResult = {
    runtime: 'ort',
    backend: 'wasm',
    probabilities: one(ortGrade),
    grade: ortGrade,
    ms: 12.25,
    startedAt: 1_700_000_000_000,
    endedAt: 1_700_000_000_012.25,
    heatmap: heatmap(ortGrade),
  };
  return {
    image: { format: 'jpeg', sourceWidth: 4752, sourceHeight: 3168, width: 4096, height: 2731 },
    fov: {
      found: true,
      verdict: 'ok',
      message: 'Retina found.',
      confidence: 0.97,
      circle: { cx: 0.5, cy: 0.5, radius: 0.3 },
    },
    thumbnail: {
      bytes: new Uint8Array([0xff, 0xd8, 0xff, 0xd9]).buffer,
      mimeType: 'image/jpeg',
      width: 96,
      height: 96,
    },
    model: {
      id: 'tiny',
      version: '1',
      name: 'Tiny test model',
      weights: 'fp16',
      demo: true,
      ...(referralThreshold !== undefined ? { referralThreshold } : {}),
    },
    variants: { tfjs, ort },
    quality,
    // As the worker decides it (workers/grading/screen-photo.ts).
    outcome: screeningOutcome(tfjs, ort, referralThreshold),
    timings: { decodeMs: 10, preprocessMs: 5, totalMs: 80 },
  };
}

export interface PhotoOptions {
  visitId?: string;
  quality?: QualityReport;
  gradedAnyway?: boolean;
  ortGrade?: Grade;
  referralThreshold?: number;
}

export function record(
  patientId: string,
  eye: Eye,
  grade: Grade,
  createdAt: number,
  ortGrade: Grade = grade,
): ScreeningRecord {
  return toScreeningRecord(gradeResult(grade, ortGrade), { patientId, eye, fileName: `${patientId}.jpeg` }, createdAt);
}

/** A graded photo of a visit. */
export function gradedPhoto(
  patientId: string,
  eye: Eye,
  grade: Grade,
  createdAt: number,
  options: PhotoOptions = {},
): ScreeningRecord {
  const { visitId, quality, gradedAnyway, ortGrade = grade, referralThreshold } = options;
  return toScreeningRecord(
    gradeResult(grade, ortGrade, referralThreshold, quality),
    {
      patientId,
      eye,
      fileName: `${patientId}-${eye}.jpeg`,
      ...(visitId !== undefined ? { visitId } : {}),
      ...(gradedAnyway !== undefined ? { gradedAnyway } : {}),
    },
    createdAt,
  );
}

/** A photo of a visit kept without grading: blurred unless told otherwise. */
export function ungradedPhoto(
  patientId: string,
  eye: Eye,
  createdAt: number,
  { visitId, quality = BLURRED }: Pick<PhotoOptions, 'visitId' | 'quality'> = {},
): UngradedPhotoRecord {
  const { image, fov } = gradeResult(0);
  return toUngradedRecord(
    { image, fov, quality, thumbnail: new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xd9])], { type: 'image/jpeg' }) },
    { patientId, eye, fileName: `${patientId}-${eye}-ungraded.jpeg`, ...(visitId !== undefined ? { visitId } : {}) },
    createdAt,
  );
}
