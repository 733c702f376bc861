import { visitOutcome, type VisitOutcome, type VisitPhoto } from '../../shared/visit-outcome.js';
import type { PhotoRecord } from './screening-record.js';

/** What the visit rule reads of a photo record. */
export function toVisitPhoto(record: PhotoRecord): VisitPhoto {
  const { quality } = record;
  const firstIssue = quality?.issues[0]?.message;
  return {
    id: record.id,
    eye: record.eye,
    createdAt: record.createdAt,
    graded:
      record.kind === 'graded'
        ? {
            grade: record.grade,
            refer: record.refer,
            referBy: record.referBy,
            referableProbability: record.referableProbability,
          }
        : null,
    quality: quality ? { verdict: quality.verdict, ...(firstIssue ? { message: firstIssue } : {}) } : null,
    ...(record.kind === 'ungraded' ? { notGradedReason: record.reason } : {}),
    gradedAnyway: record.kind === 'graded' && record.gradedAnyway,
  };
}

/** The outcome of one visit from its photo records (all of the same visit). */
export function recordsVisitOutcome(records: readonly PhotoRecord[]): VisitOutcome {
  return visitOutcome(records.map(toVisitPhoto));
}
