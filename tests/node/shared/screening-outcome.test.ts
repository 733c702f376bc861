import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Grade } from '../../../src/shared/grades.js';
import { referableProbability } from '../../../src/shared/referral.js';
import { screeningOutcome, type VariantAnswer } from '../../../src/shared/screening-outcome.js';

const answer = (grade: Grade, probabilities: number[]): VariantAnswer => ({ grade, probabilities });

// The one referral decision: the worker makes it for every result (GradeResult.outcome), the record
// reader for records saved before results carried it.
describe('screening outcome', () => {
  it('P(referable) is p2 + p3 + p4', () => {
    assert.ok(Math.abs(referableProbability([0.5, 0.2, 0.1, 0.15, 0.05]) - 0.3) < 1e-12);
  });

  it('refers on the higher grade of the two variants, whatever the threshold', () => {
    const outcome = screeningOutcome(
      answer(1, [0.1, 0.8, 0.05, 0.03, 0.02]),
      answer(2, [0.1, 0.3, 0.5, 0.05, 0.05]),
      0.99,
    );
    assert.deepEqual(
      { ...outcome, referableProbability: undefined },
      { grade: 2, agree: false, refer: true, referBy: 'grade', referableProbability: undefined },
    );
    assert.ok(Math.abs(outcome.referableProbability - 0.6) < 1e-12);
  });

  it('below grade 2 refers when either variant reaches the threshold (at it counts), never without one', () => {
    const tfjs = answer(0, [0.6, 0.15, 0.15, 0.05, 0.05]); // P(referable) 0.25
    const ort = answer(1, [0.3, 0.5, 0.1, 0.05, 0.05]); //  P(referable) 0.2
    assert.deepEqual(pick(screeningOutcome(tfjs, ort, 0.25)), { grade: 1, refer: true, referBy: 'probability' });
    assert.deepEqual(pick(screeningOutcome(ort, ort, 0.25)), { grade: 1, refer: false, referBy: null });
    assert.deepEqual(pick(screeningOutcome(tfjs, ort)), { grade: 1, refer: false, referBy: null });
  });
});

function pick({ grade, refer, referBy }: ReturnType<typeof screeningOutcome>) {
  return { grade, refer, referBy };
}
