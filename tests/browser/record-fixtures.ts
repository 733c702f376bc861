// Screening records for tests, built the way the app builds them (toScreeningRecord).
import type { Grade } from '../../src/shared/grades.js';
import type { GradeResult, VariantResult } from '../../src/shared/protocol.js';
import { screeningOutcome } from '../../src/shared/screening-outcome.js';
import { toScreeningRecord, type Eye, type ScreeningRecord } from '../../src/app/records/screening-record.js';

const one = (grade: Grade) => [0, 1, 2, 3, 4].map((g) => (g === grade ? 0.6 : 0.1));

/** A grading as the worker returns it; `referralThreshold` as a trained model's manifest entry carries it. */
export function gradeResult(tfjsGrade: Grade, ortGrade: Grade = tfjsGrade, referralThreshold?: number): GradeResult {
  const tfjs: VariantResult = {
    runtime: 'tfjs',
    backend: 'webgpu',
    probabilities: one(tfjsGrade),
    grade: tfjsGrade,
    ms: 41.5,
    startedAt: 1_700_000_000_000,
    endedAt: 1_700_000_000_041.5,
  };
  const ort: VariantResult = {
    runtime: 'ort',
    backend: 'wasm',
    probabilities: one(ortGrade),
    grade: ortGrade,
    ms: 12.25,
    startedAt: 1_700_000_000_000,
    endedAt: 1_700_000_000_012.25,
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
    // As the worker decides it (workers/grading/screen-photo.ts).
    outcome: screeningOutcome(tfjs, ort, referralThreshold),
    timings: { decodeMs: 10, preprocessMs: 5, totalMs: 80 },
  };
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
