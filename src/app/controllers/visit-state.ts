/**
 * The screening visit on screen, as VisitController keeps it and the visit's views read it: its photos
 * per eye, each from the moment it is chosen to its saved record, and what the views say about them.
 */
import { gradeName } from '../../shared/grades.js';
import type { GradeResult, InspectResult } from '../../shared/protocol.js';
import { describeEye, type EyeOutcome, type VisitEye, type VisitOutcome } from '../../shared/visit-outcome.js';
import type { SaveState } from '../components/fg-grade-result.js';
import type { PhotoRecord } from '../records/screening-record.js';

/** Right first, as eyes are read (OD before OS). */
export const VISIT_EYES: readonly VisitEye[] = ['right', 'left'];

/** The eye's name in the middle of a sentence: "right eye". */
export const eyeName = (eye: VisitEye): string => `${eye} eye`;

export const otherEye = (eye: VisitEye): VisitEye => (eye === 'right' ? 'left' : 'right');

/** One photo of the visit. Its id is its record's too, so a later record of it (graded anyway, moved) replaces the earlier. */
export interface ScreenPhoto {
  readonly id: string;
  readonly eye: VisitEye;
  readonly file: File;
  /** When it was chosen, shown again or moved: an eye's latest is the eye's current photo. */
  readonly order: number;
  /** What the worker found (retina, quality, preview); null while it reads the photo. */
  readonly inspect: InspectResult | null;
  /** Why the photo could not be read; empty when it could. */
  readonly readError: string;
  /** The grading in progress: what it is doing now. */
  readonly grading: { readonly stage: string } | null;
  readonly result: GradeResult | null;
  /** Why the last grading failed; empty when it did not, or was cancelled. */
  readonly gradeError: string;
  /** Its record, graded or kept without grading, once it has one. */
  readonly record: PhotoRecord | null;
  readonly save: SaveState | null;
}

export interface VisitState {
  readonly visitId: string;
  /** As typed; the records keep it trimmed. */
  readonly patientId: string;
  /** In the order chosen. */
  readonly photos: readonly ScreenPhoto[];
  /** The eye worked on last: a pasted photo goes to the first eye without one, else to this one. */
  readonly activeEye: VisitEye;
  /** From the visit's records, by the rule the history and the export apply (visitOutcome). */
  readonly outcome: VisitOutcome;
  /** Why photos shared to the app did not come, in words; shown until dismissed. */
  readonly notices: readonly string[];
}

/** An eye's photos, the current one (chosen last) first. */
export function photosOf(photos: readonly ScreenPhoto[], eye: VisitEye): ScreenPhoto[] {
  return photos.filter((photo) => photo.eye === eye).sort((a, b) => b.order - a.order);
}

export function currentPhoto(photos: readonly ScreenPhoto[], eye: VisitEye): ScreenPhoto | null {
  return photosOf(photos, eye)[0] ?? null;
}

/** The eye a photo without a chosen eye goes to: the first without a photo, else the one worked on last. */
export function eyeForNewPhoto(state: Pick<VisitState, 'photos' | 'activeEye'>): VisitEye {
  return VISIT_EYES.find((eye) => !state.photos.some((photo) => photo.eye === eye)) ?? state.activeEye;
}

/** Read, but not gradable as it is: no retina (never gradable), or the quality gate said ungradable. */
export function failsTheGate(inspect: InspectResult): boolean {
  return !inspect.fov.found || inspect.quality.verdict === 'ungradable';
}

/** The screener may still grade it, against the quality gate's verdict ("Grade anyway"). */
export function gradableOnlyAnyway(photo: ScreenPhoto): boolean {
  return !!photo.inspect?.fov.found && photo.inspect.quality.verdict === 'ungradable';
}

/** Read and gradable, or being read, and neither graded nor kept as ungradable yet. */
export function awaitsGrading(photo: ScreenPhoto): boolean {
  return !photo.record && !photo.readError;
}

/** One photo's state in a few words, for its thumbnail. */
export function photoStatus(photo: ScreenPhoto): string {
  if (photo.readError) return 'Could not be read';
  if (!photo.inspect) return 'Reading…';
  if (photo.grading) return 'Grading…';
  const { record } = photo;
  if (record?.kind === 'graded')
    return `Grade ${record.grade} ${gradeName(record.grade)}${record.refer ? ' — referable' : ''}${
      record.gradedAnyway ? ' (graded anyway)' : ''
    }`;
  if (record) return `Not graded: ${record.reason}`;
  return 'Not graded yet';
}

/** An eye's result as the summary and the eye's heading say it, with its photos still waiting to be graded. */
export function eyeStatus(outcome: EyeOutcome, photos: readonly ScreenPhoto[]): string {
  const waiting = photos.filter(awaitsGrading).length;
  if (outcome.status === 'missing') return waiting ? 'Not graded yet' : 'Missing: no photo';
  const more = waiting ? ` (${waiting === 1 ? 'one more photo' : `${waiting} more photos`} not graded yet)` : '';
  return `${describeEye(outcome)}${more}`;
}

/** What the screener does once an eye's current photo is done: the other eye, or the summary. */
export interface NextStep {
  text: string;
  target: VisitEye | 'summary';
}

export function nextStep(state: Pick<VisitState, 'photos' | 'outcome'>, done: VisitEye): NextStep {
  const other = otherEye(done);
  const photos = photosOf(state.photos, other);
  if (!photos.length) return { text: `Next: a photo of the ${eyeName(other)}.`, target: other };
  if (photos.some(awaitsGrading)) return { text: `Next: the ${eyeName(other)}'s photo.`, target: other };
  if (state.outcome[other].status === 'ungradable')
    return {
      text: `Next: the ${eyeName(other)} could not be graded; retake its photo, or grade it anyway.`,
      target: other,
    };
  return {
    text: state.outcome.refer
      ? 'Visit done: refer to an ophthalmologist (see the summary).'
      : 'Visit done: see the summary.',
    target: 'summary',
  };
}

/** What starting a new visit would leave behind; empty when nothing. */
export function unfinishedWork(photos: readonly ScreenPhoto[]): string {
  const waiting = photos.filter(awaitsGrading).length;
  const unsaved = photos.filter((photo) => photo.save?.state === 'failed').length;
  const parts = [
    waiting ? `${waiting === 1 ? 'one photo is' : `${waiting} photos are`} not graded` : '',
    unsaved ? `${unsaved === 1 ? 'one photo is' : `${unsaved} photos are`} not saved` : '',
  ].filter(Boolean);
  return parts.length ? `In this visit ${parts.join(' and ')}.` : '';
}

/** Everything the visit's views ask of it (VisitController.perform), as one event's detail. */
export type VisitAction =
  | { type: 'add'; eye: VisitEye; files: readonly File[] }
  | { type: 'grade'; photoId: string; anyway: boolean }
  | { type: 'cancel' }
  | { type: 'show'; photoId: string }
  | { type: 'move'; photoId: string; eye: VisitEye }
  | { type: 'remove'; photoId: string }
  | { type: 'retry-save'; photoId: string }
  | { type: 'patient-id'; patientId: string; commit: boolean }
  | { type: 'new-visit' }
  | { type: 'dismiss-notices' };

/** The event a view dispatches for an action: it bubbles out of shadow roots to the app. */
export function visitActionEvent(action: VisitAction): CustomEvent<VisitAction> {
  return new CustomEvent('fg-visit-action', { detail: action, bubbles: true, composed: true });
}
