import { gradeName } from '../../shared/grades.js';
import type { EyeOutcome, PhotoEye } from '../../shared/visit-outcome.js';
import type { HistoryPatient, HistoryVisit } from '../records/history-groups.js';
import { visitSlots } from './history-eye-slot.js';

/**
 * Searching the history by visit: a visit matches when every word typed matches it. Patient ids and file
 * names match anywhere inside ("0042" finds "P-0042"); every other word must begin one of the visit's
 * words, so that "refer" finds referred visits and not "no-referral" ones, and "3" does not find "13".
 */
interface VisitText {
  /** Searched anywhere inside. */
  free: string;
  /** Matched from their start. */
  words: string[];
}

/** Phrases that mean one thing, made one word in both the query and the visit's words. */
const PHRASES: ReadonlyArray<[RegExp, string]> = [
  [/\b(no|not)[\s-]+(referral|referred|refer)\b/g, 'no-referral'],
  [/\bgrade\s+(\d)\b/g, 'grade-$1'],
];

function normalise(text: string): string {
  return PHRASES.reduce((t, [pattern, word]) => t.replace(pattern, word), text.toLowerCase());
}

const wordsOf = (text: string) =>
  normalise(text)
    .split(/[\s,;:()]+/)
    .filter(Boolean);

/** A missing eye is only "missing": "left" finds visits with a photo of the left eye. */
function eyeWords(eye: PhotoEye, outcome: EyeOutcome): string[] {
  if (outcome.status === 'missing') return ['missing'];
  const words: string[] = [eye, outcome.status];
  if (outcome.status === 'graded') {
    words.push(`grade-${outcome.grade}`, String(outcome.grade), gradeName(outcome.grade));
    if (outcome.refer) words.push('referable');
    if (outcome.gradedAnyway) words.push('anyway');
  }
  if (outcome.status === 'ungradable') words.push('not graded', outcome.reason);
  return words;
}

function visitText(visit: HistoryVisit): VisitText {
  const { outcome } = visit;
  const date = new Date(visit.startedAt);
  const words = [
    ...visitSlots(outcome).flatMap(([eye, eyeOutcome]) => eyeWords(eye, eyeOutcome)),
    outcome.refer ? 'refer referral referred' : 'no-referral',
    outcome.complete ? 'complete' : 'incomplete',
    visit.photos.some((photo) => photo.kind === 'graded' && !photo.agree) ? 'disagree' : '',
    date.toISOString().slice(0, 10),
    date.toLocaleDateString(),
    date.toLocaleDateString(undefined, { dateStyle: 'medium' }),
  ];
  return {
    free: [visit.patientId, ...visit.photos.map((photo) => photo.photo.name)].join('\n').toLowerCase(),
    words: wordsOf(words.join(' ')),
  };
}

/** Whether the visit matches every word of the query (case-insensitive); every visit for an empty query. */
export function visitMatches(visit: HistoryVisit, query: string): boolean {
  const wanted = wordsOf(query);
  if (wanted.length === 0) return true;
  const text = visitText(visit);
  return wanted.every((word) => text.free.includes(word) || text.words.some((w) => w.startsWith(word)));
}

/** The patients with the visits that match, in the same order; patients with none are left out. */
export function searchHistory(patients: readonly HistoryPatient[], query: string): HistoryPatient[] {
  if (wordsOf(query).length === 0) return [...patients];
  return patients.flatMap((patient) => {
    const visits = patient.visits.filter((visit) => visitMatches(visit, query));
    return visits.length ? [{ ...patient, visits }] : [];
  });
}
