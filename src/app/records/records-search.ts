import { gradeName } from '../../shared/grades.js';
import type { ScreeningRecord } from './screening-record.js';

/** The words a screener may type to find a record: patient id, eye, grade, referral, date. */
function searchText(record: ScreeningRecord): string {
  const date = new Date(record.createdAt);
  return [
    record.patientId,
    record.eye,
    `grade ${record.grade}`,
    gradeName(record.grade),
    record.refer ? 'refer referral' : 'no referral',
    record.agree ? '' : 'disagree',
    date.toISOString().slice(0, 10),
    date.toLocaleDateString(),
    record.photo.name,
  ]
    .join(' ')
    .toLowerCase();
}

/** Records matching every word of the query (case-insensitive); all records for an empty query. */
export function searchRecords(records: readonly ScreeningRecord[], query: string): ScreeningRecord[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...records];
  return records.filter((record) => {
    const text = searchText(record);
    return words.every((word) => text.includes(word));
  });
}
