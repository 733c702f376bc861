/** ICDR diabetic retinopathy severity scale: the five classes every model in this project predicts. */
export const GRADE_NAMES = ['No DR', 'Mild', 'Moderate', 'Severe', 'Proliferative'] as const;

export type Grade = 0 | 1 | 2 | 3 | 4;
export const GRADE_COUNT = GRADE_NAMES.length;

/** Grade 2 (moderate non-proliferative) and above is referable to an ophthalmologist. */
export const REFERABLE_FROM: Grade = 2;

export function isGrade(value: unknown): value is Grade {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < GRADE_COUNT;
}

export function isReferable(grade: Grade): boolean {
  return grade >= REFERABLE_FROM;
}

export function gradeName(grade: Grade): string {
  return GRADE_NAMES[grade];
}

/** Index of the largest probability; ties go to the lower grade. */
export function topGrade(probabilities: ArrayLike<number>): Grade {
  if (probabilities.length !== GRADE_COUNT) {
    throw new RangeError(`expected ${GRADE_COUNT} probabilities, got ${probabilities.length}`);
  }
  let best = 0;
  for (let i = 1; i < GRADE_COUNT; i++) if (probabilities[i]! > probabilities[best]!) best = i;
  return best as Grade;
}
