import { gradeName } from '../../shared/grades.js';
import type { PhotoRecord } from './screening-record.js';

/** The words a screener may type to find a record: patient id, eye, grade or why not graded, referral, date. */
function searchText(record: PhotoRecord): string {
  const date = new Date(record.createdAt);
  const finding =
    record.kind === 'graded'
      ? [
          `grade ${record.grade}`,
          gradeName(record.grade),
          record.refer ? 'refer referral' : 'no referral',
          record.agree ? '' : 'disagree',
          record.gradedAnyway ? 'graded anyway' : '',
        ]
      : ['ungradable not graded', record.reason];
  return [
    record.patientId,
    record.eye,
    ...finding,
    date.toISOString().slice(0, 10),
    date.toLocaleDateString(),
    record.photo.name,
  ]
    .join(' ')
    .toLowerCase();
}

/** Records matching every word of the query (case-insensitive); all records for an empty query. */
export function searchRecords<R extends PhotoRecord>(records: readonly R[], query: string): R[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...records];
  return records.filter((record) => {
    const text = searchText(record);
    return words.every((word) => text.includes(word));
  });
}
