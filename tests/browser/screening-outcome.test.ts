import { expect } from '@open-wc/testing';
import { screeningOutcome, type VariantAnswer } from '../../src/app/screening-outcome.js';
import { referableProbability } from '../../src/shared/referral.js';
import type { Grade } from '../../src/shared/grades.js';

const answer = (grade: Grade, probabilities: number[]): VariantAnswer => ({ grade, probabilities });

describe('screening outcome', () => {
  it('P(referable) is p2 + p3 + p4', () => {
    expect(referableProbability([0.5, 0.2, 0.1, 0.15, 0.05])).to.be.closeTo(0.3, 1e-12);
  });

  it('refers on the higher grade of the two variants, whatever the threshold', () => {
    const outcome = screeningOutcome(answer(1, [0.1, 0.8, 0.05, 0.03, 0.02]), answer(2, [0.1, 0.3, 0.5, 0.05, 0.05]), 0.99);
    expect(outcome).to.deep.include({ grade: 2, agree: false, refer: true, referBy: 'grade' });
    expect(outcome.referableProbability).to.be.closeTo(0.6, 1e-12);
  });

  it('below grade 2 refers when either variant reaches the threshold (at it counts), never without one', () => {
    const tfjs = answer(0, [0.6, 0.15, 0.15, 0.05, 0.05]); // P(referable) 0.25
    const ort = answer(1, [0.3, 0.5, 0.1, 0.05, 0.05]); //  P(referable) 0.2
    expect(screeningOutcome(tfjs, ort, 0.25)).to.deep.include({ grade: 1, refer: true, referBy: 'probability' });
    expect(screeningOutcome(ort, ort, 0.25)).to.deep.include({ refer: false, referBy: null });
    expect(screeningOutcome(tfjs, ort)).to.deep.include({ refer: false, referBy: null });
  });
});
