import { expect } from '@open-wc/testing';
import type { Grade } from '../../src/shared/grades.js';
import { referableProbability, referralReason } from '../../src/shared/referral.js';
import {
  describeEye,
  visitOutcome,
  type GradedEye,
  type GradedFinding,
  type PhotoEye,
  type UngradableEye,
  type VisitPhoto,
} from '../../src/shared/visit-outcome.js';

const T0 = Date.UTC(2026, 2, 3, 10, 0);
const BLURRED = 'Ungradable: too blurred (focus 12, needs ≥ 28) — retake the photo';
const NO_RETINA = 'No retina found: the photo is too dark. Retake it with the retina lit and in view.';

let serial = 0;

/** A grading's outcome from its probabilities, by the app's referral rule (as the worker decides it). */
function finding(probabilities: number[], grade: Grade, threshold?: number): GradedFinding {
  const p = referableProbability(probabilities);
  const referBy = referralReason(grade, p, threshold);
  return { grade, refer: referBy !== null, referBy, referableProbability: p };
}

/** Five probabilities peaking at `grade`, with P(grade ≥ 2) = `referable` where the peak allows it. */
function peaked(grade: Grade, referable = grade >= 2 ? 0.9 : 0.05): number[] {
  const p = [0, 0, 0, 0, 0];
  if (grade >= 2) {
    p[grade] = referable;
    p[0] = 1 - referable;
  } else {
    p[grade] = 1 - referable;
    p[2] = referable;
  }
  return p;
}

function graded(eye: PhotoEye, grade: Grade, createdAt = T0, extra: Partial<VisitPhoto> = {}): VisitPhoto {
  return {
    id: `photo-${++serial}`,
    eye,
    createdAt,
    graded: finding(peaked(grade), grade),
    quality: { verdict: 'gradable' },
    gradedAnyway: false,
    ...extra,
  };
}

function ungraded(eye: PhotoEye, reason: string, createdAt = T0): VisitPhoto {
  return {
    id: `photo-${++serial}`,
    eye,
    createdAt,
    graded: null,
    quality: { verdict: 'ungradable', message: reason },
    notGradedReason: reason,
    gradedAnyway: false,
  };
}

function asGraded(outcome: unknown): GradedEye {
  expect(outcome).to.have.property('status', 'graded');
  return outcome as GradedEye;
}

describe("a visit's outcome: each eye and the patient's referral", () => {
  it('does not refer when both eyes are graded below the referable grade', () => {
    const outcome = visitOutcome([graded('right', 0), graded('left', 1)]);
    expect(outcome).to.deep.include({ refer: false, complete: true, reasons: [], unspecified: null });
    expect(asGraded(outcome.right)).to.deep.include({ grade: 0, refer: false, referBy: null });
    expect(asGraded(outcome.left)).to.deep.include({ grade: 1, refer: false, referBy: null });
    expect(outcome.summary).to.equal('No referral — right eye grade 0 No DR, left eye grade 1 Mild');
  });

  for (const eye of ['right', 'left'] as const) {
    const other = eye === 'right' ? 'left' : 'right';
    it(`refers when the ${eye} eye alone is referable by its grade, and names that eye`, () => {
      const outcome = visitOutcome([graded(eye, 3), graded(other, 0)]);
      expect(outcome.refer).to.equal(true);
      expect(asGraded(outcome[eye])).to.deep.include({ grade: 3, refer: true, referBy: 'grade' });
      expect(asGraded(outcome[other]).refer).to.equal(false);
      const name = eye === 'right' ? 'Right eye' : 'Left eye';
      expect(outcome.reasons).to.deep.equal([`${name}: grade 3 Severe — referable`]);
      expect(outcome.summary).to.match(/^Refer — /);
    });
  }

  it("refers an eye below grade 2 whose probability of referable DR reaches the model's threshold", () => {
    const probabilities = peaked(1, 0.3);
    const byThreshold = visitOutcome([
      graded('right', 0),
      { ...graded('left', 1), graded: finding(probabilities, 1, 0.25) },
    ]);
    expect(byThreshold.refer).to.equal(true);
    expect(asGraded(byThreshold.left)).to.deep.include({ grade: 1, refer: true, referBy: 'probability' });
    expect(byThreshold.reasons).to.have.length(1);
    expect(byThreshold.reasons[0]).to.match(/^Left eye: grade 1 Mild, .*\(30 %\).*threshold — referable$/);
    expect(describeEye(byThreshold.left)).to.equal('Grade 1 Mild — referable (P(grade ≥ 2) 30 %)');

    // The same photo under a model without a threshold, or with a higher one: the grade alone decides.
    for (const threshold of [undefined, 0.35]) {
      const byGrade = visitOutcome([
        graded('right', 0),
        { ...graded('left', 1), graded: finding(probabilities, 1, threshold) },
      ]);
      expect(byGrade.refer, `threshold ${threshold}`).to.equal(false);
      expect(byGrade.reasons).to.deep.equal([]);
    }
  });

  it('lists a reason for each referable eye, the right eye first', () => {
    const outcome = visitOutcome([graded('left', 4), graded('right', 2)]);
    expect(outcome.refer).to.equal(true);
    expect(outcome.reasons).to.deep.equal([
      'Right eye: grade 2 Moderate — referable',
      'Left eye: grade 4 Proliferative — referable',
    ]);
  });

  it('refers when an eye could not be graded, saying which eye and why', () => {
    const outcome = visitOutcome([graded('right', 0), ungraded('left', BLURRED)]);
    expect(outcome).to.deep.include({ refer: true, complete: true });
    expect(outcome.left).to.deep.include({ status: 'ungradable', reason: BLURRED });
    expect(outcome.reasons).to.deep.equal([
      'Left eye could not be graded: too blurred (focus 12, needs ≥ 28) — retake the photo',
    ]);
    expect(describeEye(outcome.left)).to.equal('Ungradable: too blurred (focus 12, needs ≥ 28) — retake the photo');
    expect(outcome.summary).to.equal('Refer — right eye grade 0 No DR, left eye ungradable');

    const noRetina = visitOutcome([ungraded('right', NO_RETINA), graded('left', 1)]);
    expect(noRetina.reasons).to.deep.equal([
      'Right eye could not be graded: no retina found: the photo is too dark. Retake it with the retina lit and in view.',
    ]);
  });

  it("gives an ungradable eye's reason from its newest photo, and lists all its photos newest first", () => {
    const older = ungraded('left', NO_RETINA, T0);
    const newer = ungraded('left', BLURRED, T0 + 60_000);
    const left = visitOutcome([newer, older, graded('right', 0)]).left as UngradableEye;
    expect(left).to.deep.equal({
      status: 'ungradable',
      reason: BLURRED,
      decidingPhotoId: newer.id,
      photoIds: [newer.id, older.id],
    });
  });

  it('shows an eye without a photo as missing, never as healthy, and the visit as incomplete', () => {
    const healthyRight = visitOutcome([graded('right', 0)]);
    expect(healthyRight.left).to.deep.equal({ status: 'missing' });
    expect(healthyRight).to.deep.include({ refer: false, complete: false, reasons: [] });
    expect(healthyRight.summary).to.equal(
      'Incomplete, nothing referable so far — right eye grade 0 No DR, left eye missing',
    );
    expect(healthyRight.summary).not.to.contain('No referral');
    expect(describeEye(healthyRight.left)).to.equal('Missing: no photo');

    const referableLeft = visitOutcome([graded('left', 3)]);
    expect(referableLeft).to.deep.include({ refer: true, complete: false });
    expect(referableLeft.right).to.deep.equal({ status: 'missing' });
    expect(referableLeft.reasons).to.deep.equal(['Left eye: grade 3 Severe — referable']);

    const empty = visitOutcome([]);
    expect(empty).to.deep.include({ refer: false, complete: false, reasons: [], summary: 'No photos' });
  });

  it('takes the more severe of two photos of one eye, whatever their order', () => {
    const mild = graded('right', 1, T0 + 1000);
    const severe = graded('right', 3, T0);
    for (const photos of [
      [mild, severe, graded('left', 0)],
      [graded('left', 0), severe, mild],
    ]) {
      const right = asGraded(visitOutcome(photos).right);
      expect(right).to.deep.include({ grade: 3, refer: true, referBy: 'grade', decidingPhotoId: severe.id });
      expect(right.photoIds).to.deep.equal([mild.id, severe.id]);
    }
    // Equally severe: the newer photo decides.
    const again = graded('right', 1, T0 + 2000);
    expect(asGraded(visitOutcome([mild, again]).right).decidingPhotoId).to.equal(again.id);
  });

  it('refers an eye when any of its photos refers, even one graded less severe than another', () => {
    const referring = { ...graded('left', 0, T0), graded: finding(peaked(0, 0.3), 0, 0.25) };
    const mild = { ...graded('left', 1, T0 + 1000), graded: finding(peaked(1, 0.2), 1, 0.25) };
    const left = asGraded(visitOutcome([mild, referring]).left);
    expect(left).to.deep.include({ grade: 1, refer: true, referBy: 'probability', decidingPhotoId: referring.id });
    expect(left.referableProbability).to.be.closeTo(0.3, 1e-9);
  });

  it('keeps an eye graded when some of its photos could not be, and lists those', () => {
    const blurred = ungraded('right', BLURRED, T0 + 5000);
    const good = graded('right', 1, T0);
    const outcome = visitOutcome([blurred, good, graded('left', 0)]);
    const right = asGraded(outcome.right);
    expect(right).to.deep.include({ grade: 1, refer: false, decidingPhotoId: good.id });
    expect(right.ungradedPhotoIds).to.deep.equal([blurred.id]);
    expect(outcome.refer).to.equal(false);
  });

  it('keeps that an eye was graded despite an ungradable verdict, and says so', () => {
    const anyway = graded('left', 2, T0, { quality: { verdict: 'ungradable', message: BLURRED }, gradedAnyway: true });
    const outcome = visitOutcome([graded('right', 0), anyway]);
    const left = asGraded(outcome.left);
    expect(left).to.deep.include({ refer: true, gradedAnyway: true, qualityReason: BLURRED });
    expect(outcome.reasons).to.deep.equal([
      'Left eye: grade 2 Moderate — referable (graded although judged ungradable: too blurred (focus 12, needs ≥ 28) — retake the photo)',
    ]);

    const healthyAnyway = visitOutcome([
      graded('right', 0),
      graded('left', 0, T0, { quality: { verdict: 'ungradable', message: BLURRED }, gradedAnyway: true }),
    ]);
    expect(healthyAnyway.refer).to.equal(false);
    expect(asGraded(healthyAnyway.left).gradedAnyway).to.equal(true);
    expect(describeEye(healthyAnyway.left)).to.equal('Grade 0 No DR — graded although judged ungradable');
    expect(asGraded(healthyAnyway.right)).to.deep.include({ gradedAnyway: false });
    expect(asGraded(healthyAnyway.right)).not.to.have.property('qualityReason');
  });

  it('counts photos without a recorded eye for the referral, but never as the left or right eye', () => {
    const old = visitOutcome([graded('unspecified', 3)]);
    expect(old.left).to.deep.equal({ status: 'missing' });
    expect(old.right).to.deep.equal({ status: 'missing' });
    expect(asGraded(old.unspecified)).to.deep.include({ grade: 3, refer: true });
    expect(old).to.deep.include({ refer: true, complete: false });
    expect(old.reasons).to.deep.equal(['Eye not recorded: grade 3 Severe — referable']);
    expect(old.summary).to.equal('Refer — eye not recorded grade 3 Severe');

    const withEyes = visitOutcome([graded('right', 0), graded('left', 0), ungraded('unspecified', BLURRED)]);
    expect(withEyes).to.deep.include({ refer: true, complete: true });
    expect(withEyes.reasons).to.deep.equal([
      'A photo without a recorded eye could not be graded: too blurred (focus 12, needs ≥ 28) — retake the photo',
    ]);
    expect(withEyes.summary).to.equal(
      'Refer — right eye grade 0 No DR, left eye grade 0 No DR, eye not recorded ungradable',
    );
  });

  it('describes a graded eye referable by grade, and one not referable', () => {
    const outcome = visitOutcome([graded('right', 4), graded('left', 0)]);
    expect(describeEye(outcome.right)).to.equal('Grade 4 Proliferative — referable');
    expect(describeEye(outcome.left)).to.equal('Grade 0 No DR');
  });
});
