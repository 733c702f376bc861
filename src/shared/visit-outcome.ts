/**
 * The outcome of one screening visit: each eye's result from all the photos taken of it, and one
 * referral decision for the patient. Pure: the history, the export and the visit screen all decide
 * through `visitOutcome`, so they can never disagree.
 *
 * The rule:
 * - An eye with no photo is `missing` — never read as healthy; the visit is `complete` only when both
 *   the left and the right eye have a result other than missing.
 * - An eye whose photos were all kept without grading (no retina found, or the quality gate said
 *   ungradable and the screener did not grade anyway) is `ungradable`, and the patient is referred:
 *   an eye that could not be screened needs an examination.
 * - Otherwise the eye is `graded`: its grade is the most severe graded photo's, and it is referable when
 *   any of its graded photos is referable by the model's rule (grade ≥ 2, or P(grade ≥ 2) at the model's
 *   threshold: `refer` as the worker decided it for that photo). Photos of it that were not graded do not
 *   make a graded eye ungradable.
 * - Photos whose eye was not recorded ('unspecified': saved before visits existed, or the screener did
 *   not say) cannot stand for either eye. They form a slot of their own that is never missing: it counts
 *   for the patient's referral like an eye (ignoring a referable photo would be unsafe), but not towards
 *   `complete`.
 * - The patient is referred when any slot is referable or ungradable.
 */
import { gradeName, type Grade } from './grades.js';
import type { ReferralReason } from './referral.js';

/** The eye a photo shows, as the screener recorded it. */
export type PhotoEye = 'left' | 'right' | 'unspecified';
export type VisitEye = 'left' | 'right';

/** A graded photo's outcome, as the worker decided it (ScreeningOutcome). */
export interface GradedFinding {
  grade: Grade;
  refer: boolean;
  referBy: ReferralReason;
  /** P(grade ≥ 2), the higher of the two variants'. */
  referableProbability: number;
}

/** What the visit rule needs of one photo. */
export interface VisitPhoto {
  id: string;
  eye: PhotoEye;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** The grading's outcome; null for a photo kept without grading. */
  graded: GradedFinding | null;
  /**
   * The quality gate's verdict and its first issue's message (absent when gradable); null for photos
   * saved before the gate existed.
   */
  quality: { verdict: 'gradable' | 'ungradable'; message?: string } | null;
  /** Why a photo was not graded (no retina, the quality message); used when `graded` is null. */
  notGradedReason?: string;
  /** Graded although the quality gate judged the photo ungradable. */
  gradedAnyway: boolean;
}

export interface MissingEye {
  status: 'missing';
}

export interface UngradableEye {
  status: 'ungradable';
  /** Why, in the screener's words: the newest photo's reason. */
  reason: string;
  /** The photo whose reason is given (the newest). */
  decidingPhotoId: string;
  /** Every photo of the eye, newest first (none of them graded). */
  photoIds: string[];
}

export interface GradedEye {
  status: 'graded';
  /** The most severe grade among the eye's graded photos. */
  grade: Grade;
  /** Any graded photo of the eye is referable. */
  refer: boolean;
  /** Why, for the deciding photo: 'grade' outranks 'probability'; null when not referred. */
  referBy: ReferralReason;
  /** The highest P(grade ≥ 2) among the eye's graded photos. */
  referableProbability: number;
  /**
   * The photo the eye's result rests on: when referred, the referring photo with the most severe grade
   * (then the highest probability, then the newest); otherwise the most severe photo.
   */
  decidingPhotoId: string;
  /** The deciding photo was graded although the quality gate judged it ungradable. */
  gradedAnyway: boolean;
  /** With gradedAnyway: the quality gate's reason for that photo, if it gave one. */
  qualityReason?: string;
  /** The graded photos, newest first. */
  photoIds: string[];
  /** Photos of the eye kept without grading, newest first. */
  ungradedPhotoIds: string[];
}

export type EyeOutcome = MissingEye | UngradableEye | GradedEye;
export type PresentEyeOutcome = UngradableEye | GradedEye;

export interface VisitOutcome {
  left: EyeOutcome;
  right: EyeOutcome;
  /** Photos whose eye was not recorded; null when the visit has none. See the rule above. */
  unspecified: PresentEyeOutcome | null;
  /** Refer the patient: some eye is referable or could not be graded. */
  refer: boolean;
  /** Why the patient is referred, one line per eye in plain words naming it (right eye first); empty when not. */
  reasons: string[];
  /** Both the left and the right eye have a result (graded or ungradable). */
  complete: boolean;
  /** One line for lists, e.g. "Refer — right eye grade 3 Severe, left eye ungradable". */
  summary: string;
}

/** Right first, as eye records are read (OD before OS), then photos without a recorded eye. */
const SLOTS = ['right', 'left', 'unspecified'] as const;

/** How each slot is named at the start of a sentence. */
export const EYE_NAMES: Record<PhotoEye, string> = {
  right: 'Right eye',
  left: 'Left eye',
  unspecified: 'Eye not recorded',
};

const NOT_GRADED = 'the photo was not graded';

/** A reason as the middle of a sentence: without the gate's "Ungradable: " label, not capitalised. */
function plain(reason: string): string {
  const text = reason.replace(/^ungradable:\s*/i, '').trim();
  // "No retina found" → "no retina found", but "JPEG …" stays.
  return /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}

const percent = (p: number) => `${Math.round(p * 100)} %`;

const newestFirst = (a: VisitPhoto, b: VisitPhoto) => b.createdAt - a.createdAt || b.id.localeCompare(a.id);

/** Which of two graded photos of one eye decides it: referring, then more severe, more likely, newer. */
function decidesBefore(a: VisitPhoto & { graded: GradedFinding }, b: VisitPhoto & { graded: GradedFinding }): number {
  return (
    Number(b.graded.refer) - Number(a.graded.refer) ||
    b.graded.grade - a.graded.grade ||
    b.graded.referableProbability - a.graded.referableProbability ||
    newestFirst(a, b)
  );
}

const isGraded = (photo: VisitPhoto): photo is VisitPhoto & { graded: GradedFinding } => photo.graded !== null;

function notGradedReason(photo: VisitPhoto): string {
  return photo.notGradedReason ?? photo.quality?.message ?? NOT_GRADED;
}

/** One eye's result from the photos taken of it (any order). */
export function eyeOutcome(photos: readonly VisitPhoto[]): EyeOutcome {
  if (photos.length === 0) return { status: 'missing' };
  const sorted = [...photos].sort(newestFirst);
  const graded = sorted.filter(isGraded);
  const ungraded = sorted.filter((photo) => !isGraded(photo));
  if (graded.length === 0) {
    const newest = sorted[0]!;
    return {
      status: 'ungradable',
      reason: notGradedReason(newest),
      decidingPhotoId: newest.id,
      photoIds: sorted.map((photo) => photo.id),
    };
  }
  const deciding = [...graded].sort(decidesBefore)[0]!;
  const refer = deciding.graded.refer;
  const outcome: GradedEye = {
    status: 'graded',
    grade: Math.max(...graded.map((photo) => photo.graded.grade)) as Grade,
    refer,
    referBy: refer ? deciding.graded.referBy : null,
    referableProbability: Math.max(...graded.map((photo) => photo.graded.referableProbability)),
    decidingPhotoId: deciding.id,
    gradedAnyway: deciding.gradedAnyway,
    photoIds: graded.map((photo) => photo.id),
    ungradedPhotoIds: ungraded.map((photo) => photo.id),
  };
  if (deciding.gradedAnyway && deciding.quality?.message) outcome.qualityReason = deciding.quality.message;
  return outcome;
}

/** The visit's result from all its photos (any order, any mix of eyes). */
export function visitOutcome(photos: readonly VisitPhoto[]): VisitOutcome {
  const of = (eye: PhotoEye) => eyeOutcome(photos.filter((photo) => photo.eye === eye));
  const unspecified = of('unspecified');
  const slots: Record<PhotoEye, EyeOutcome> = { left: of('left'), right: of('right'), unspecified };
  const refer = SLOTS.some((slot) => needsReferral(slots[slot]));
  const reasons = SLOTS.flatMap((slot) => {
    const reason = referralReasonText(slot, slots[slot]);
    return reason ? [reason] : [];
  });
  const complete = slots.left.status !== 'missing' && slots.right.status !== 'missing';
  return {
    left: slots.left,
    right: slots.right,
    unspecified: unspecified.status === 'missing' ? null : unspecified,
    refer,
    reasons,
    complete,
    summary: summaryText(slots, refer, complete),
  };
}

/** Whether this eye's result refers the patient: referable, or not gradable at all. */
export function needsReferral(eye: EyeOutcome): boolean {
  return eye.status === 'ungradable' || (eye.status === 'graded' && eye.refer);
}

function gradeText(grade: Grade): string {
  return `grade ${grade} ${gradeName(grade)}`;
}

/** Why this eye refers the patient, naming it; null when it does not. */
export function referralReasonText(eye: PhotoEye, outcome: EyeOutcome): string | null {
  if (outcome.status === 'ungradable') {
    const subject = eye === 'unspecified' ? 'A photo without a recorded eye' : EYE_NAMES[eye];
    return `${subject} could not be graded: ${plain(outcome.reason)}`;
  }
  if (outcome.status !== 'graded' || !outcome.refer) return null;
  const why =
    outcome.referBy === 'probability'
      ? `, but the probability of referable DR (${percent(outcome.referableProbability)}) reaches the model's threshold`
      : '';
  const caveat = outcome.gradedAnyway
    ? ` (graded although judged ungradable${outcome.qualityReason ? `: ${plain(outcome.qualityReason)}` : ''})`
    : '';
  return `${EYE_NAMES[eye]}: ${gradeText(outcome.grade)}${why} — referable${caveat}`;
}

/** One eye's result for a list or a table cell, e.g. "Grade 3 Severe — referable", "Missing: no photo". */
export function describeEye(outcome: EyeOutcome): string {
  switch (outcome.status) {
    case 'missing':
      return 'Missing: no photo';
    case 'ungradable':
      return `Ungradable: ${plain(outcome.reason)}`;
    case 'graded': {
      const grade = `Grade ${outcome.grade} ${gradeName(outcome.grade)}`;
      const referral = !outcome.refer
        ? ''
        : outcome.referBy === 'probability'
          ? ` — referable (P(grade ≥ 2) ${percent(outcome.referableProbability)})`
          : ' — referable';
      return `${grade}${referral}${outcome.gradedAnyway ? ' — graded although judged ungradable' : ''}`;
    }
  }
}

function shortText(eye: PhotoEye, outcome: EyeOutcome): string {
  const name = EYE_NAMES[eye].toLowerCase();
  if (outcome.status === 'graded') return `${name} ${gradeText(outcome.grade)}`;
  return `${name} ${outcome.status}`;
}

function summaryText(slots: Record<PhotoEye, EyeOutcome>, refer: boolean, complete: boolean): string {
  const present = SLOTS.filter((slot) => slots[slot].status !== 'missing');
  if (present.length === 0) return 'No photos';
  // A visit of photos without a recorded eye (an old record) is not summed up as two missing eyes.
  const shown =
    present.length === 1 && present[0] === 'unspecified'
      ? present
      : SLOTS.filter((slot) => slot !== 'unspecified' || slots[slot].status !== 'missing');
  const eyes = shown.map((slot) => shortText(slot, slots[slot])).join(', ');
  if (refer) return `Refer — ${eyes}`;
  return complete ? `No referral — ${eyes}` : `Incomplete, nothing referable so far — ${eyes}`;
}
