import { expect } from '@open-wc/testing';
import { eyePhotoIds, groupHistory, NO_PATIENT_ID_LABEL, visitPhotoIds } from '../../src/app/records/history-groups.js';
import { readPhotoRecord, type StoredScreeningRecord } from '../../src/app/records/screening-record.js';
import { gradedPhoto, record, ungradedPhoto } from './record-fixtures.js';

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 15, 9, 30);

/** A record as version 1 saved it: no visit, no kind, no quality, no heatmaps. */
function oldRecord(patientId: string, createdAt: number): StoredScreeningRecord {
  const {
    kind: _kind,
    visitId: _visitId,
    gradedAnyway: _anyway,
    quality: _quality,
    heatmaps: _heatmaps,
    ...old
  } = record(patientId, 'unspecified', 2, createdAt);
  return old;
}

describe('the history grouped by patient and visit', () => {
  // P-1: a visit a day ago (both eyes) and one today (right eye twice, left not gradable); P-2: one visit in between.
  const p1Old = [
    gradedPhoto('P-1', 'right', 0, T0, { visitId: 'v-old' }),
    gradedPhoto('P-1', 'left', 1, T0 + 60_000, { visitId: 'v-old' }),
  ];
  const p1New = [
    gradedPhoto('P-1', 'right', 1, T0 + DAY, { visitId: 'v-new' }),
    gradedPhoto('P-1', 'right', 3, T0 + DAY + 60_000, { visitId: 'v-new' }),
    ungradedPhoto('P-1', 'left', T0 + DAY + 120_000, { visitId: 'v-new' }),
  ];
  const p2 = [gradedPhoto('P-2', 'left', 0, T0 + 2 * HOUR, { visitId: 'v-p2' })];

  it('puts the patient with the newest visit first, and each patient’s visits newest first', () => {
    const patients = groupHistory([...p2, ...p1Old, ...p1New].reverse());
    expect(patients.map((p) => [p.label, p.visits.map((v) => v.visitId)])).to.deep.equal([
      ['P-1', ['v-new', 'v-old']],
      ['P-2', ['v-p2']],
    ]);
    // A new visit of P-2 moves P-2 to the top.
    const later = gradedPhoto('P-2', 'right', 0, T0 + 3 * DAY, { visitId: 'v-p2-later' });
    expect(groupHistory([...p1Old, ...p1New, ...p2, later]).map((p) => p.patientId)).to.deep.equal(['P-2', 'P-1']);
  });

  it("keeps each visit's photos by eye, newest first, with the visit's outcome", () => {
    const [p1] = groupHistory([...p1Old, ...p1New, ...p2]);
    const visit = p1!.visits[0]!;
    expect(visit).to.deep.include({ visitId: 'v-new', patientId: 'P-1', startedAt: T0 + DAY });
    expect(visit.lastPhotoAt).to.equal(T0 + DAY + 120_000);
    expect(visit.photos.map((p) => p.id)).to.deep.equal([p1New[2]!.id, p1New[1]!.id, p1New[0]!.id]);
    expect(eyePhotoIds(visit, 'right')).to.deep.equal([p1New[1]!.id, p1New[0]!.id]);
    expect(eyePhotoIds(visit, 'left')).to.deep.equal([p1New[2]!.id]);
    expect(eyePhotoIds(visit, 'unspecified')).to.deep.equal([]);
    expect(visitPhotoIds(visit)).to.have.members(p1New.map((p) => p.id));

    expect(visit.outcome.right).to.deep.include({ status: 'graded', grade: 3, decidingPhotoId: p1New[1]!.id });
    expect(visit.outcome.left).to.deep.include({ status: 'ungradable' });
    expect(visit.outcome.refer).to.equal(true);
    expect(visit.outcome.reasons).to.have.length(2);
    expect(p1!.visits[1]!.outcome).to.deep.include({ refer: false, complete: true });
  });

  it('never merges visits without a patient id, but keeps one such visit together', () => {
    const first = [
      gradedPhoto('', 'right', 0, T0, { visitId: 'anon-1' }),
      gradedPhoto('', 'left', 0, T0 + 1000, { visitId: 'anon-1' }),
    ];
    const second = [gradedPhoto('', 'right', 2, T0 + HOUR, { visitId: 'anon-2' })];
    const patients = groupHistory([...first, ...second, ...p2]);
    expect(patients.map((p) => [p.label, p.patientId, p.visits.map((v) => v.visitId)])).to.deep.equal([
      ['P-2', 'P-2', ['v-p2']],
      [NO_PATIENT_ID_LABEL, '', ['anon-2']],
      [NO_PATIENT_ID_LABEL, '', ['anon-1']],
    ]);
    expect(new Set(patients.map((p) => p.key)).size).to.equal(3);
    expect(patients[2]!.visits[0]!.photos).to.have.length(2);
    expect(patients[2]!.visits[0]!.outcome.complete).to.equal(true);
  });

  it('matches patient ids exactly, and never shows a photo under another patient', () => {
    const mixed = [
      gradedPhoto('P-7', 'right', 0, T0, { visitId: 'v-mixed' }),
      gradedPhoto('p-7', 'left', 3, T0 + 1000, { visitId: 'v-mixed' }),
    ];
    const patients = groupHistory(mixed);
    expect(patients.map((p) => p.patientId)).to.deep.equal(['p-7', 'P-7']);
    expect(patients[1]!.visits[0]!.photos.map((p) => p.id)).to.deep.equal([mixed[0]!.id]);
    expect(patients[1]!.visits[0]!.outcome.refer).to.equal(false);
    expect(patients[0]!.visits[0]!.outcome.refer).to.equal(true);
  });

  it('shows each record saved before visits as a visit of its own', () => {
    const oldA = readPhotoRecord(oldRecord('P-1', T0 - 2 * DAY));
    const oldB = readPhotoRecord(oldRecord('P-1', T0 - DAY));
    const patients = groupHistory([oldA, oldB, ...p1Old]);
    expect(patients).to.have.length(1);
    expect(patients[0]!.visits.map((v) => v.visitId)).to.deep.equal(['v-old', oldB.id, oldA.id]);
    const oldVisit = patients[0]!.visits[2]!;
    expect(oldVisit.eyes.unspecified.map((p) => p.id)).to.deep.equal([oldA.id]);
    expect(oldVisit.outcome).to.deep.include({ refer: true, complete: false });
    expect(oldVisit.outcome.left).to.deep.equal({ status: 'missing' });
  });

  it('is empty without records', () => {
    expect(groupHistory([])).to.deep.equal([]);
  });
});
