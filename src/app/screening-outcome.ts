import type { Grade } from '../shared/grades.js';
import { isReferable } from '../shared/grades.js';

export interface ScreeningOutcome {
  /** The grade to act on: the higher of the two variants' when they differ. */
  grade: Grade;
  agree: boolean;
  /** Grade 2 or above: refer to an ophthalmologist. */
  refer: boolean;
}

/** Two variants that disagree are read cautiously: the more severe grade decides the referral. */
export function screeningOutcome(tfjs: Grade, ort: Grade): ScreeningOutcome {
  const grade = Math.max(tfjs, ort) as Grade;
  return { grade, agree: tfjs === ort, refer: isReferable(grade) };
}
