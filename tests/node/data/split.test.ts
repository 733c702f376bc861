import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../../src/pipeline/data/random.js';
import { splitByPatient, type SplittableRecord } from '../../../src/pipeline/data/split.js';
import { planDataset } from '../../../src/pipeline/data/synthetic/plan.js';
import type { Grade } from '../../../src/shared/grades.js';

const records: SplittableRecord[] = planDataset({ count: 2000, seed: 11, balance: 'eyepacs' }).map((p) => ({ image: p.image, patientId: p.patientId, level: p.grade }));

function worstGrade(list: readonly SplittableRecord[]): Map<string, Grade> {
  const worst = new Map<string, Grade>();
  for (const r of list) worst.set(r.patientId, Math.max(worst.get(r.patientId) ?? 0, r.level) as Grade);
  return worst;
}

describe('splitByPatient', () => {
  it('keeps both eyes of a patient on one side and every image exactly once', () => {
    const { train, validation } = splitByPatient(records, { seed: 1 });
    const trainPatients = new Set(train.map((r) => r.patientId));
    assert.ok(validation.every((r) => !trainPatients.has(r.patientId)));
    assert.equal(train.length + validation.length, records.length);
    assert.equal(new Set([...train, ...validation].map((r) => r.image)).size, records.length);
  });

  it('takes about 20 % of the patients of every worst-grade stratum', () => {
    const { validation } = splitByPatient(records, { seed: 1 });
    const all = worstGrade(records);
    const held = worstGrade(validation);
    for (let g = 0; g < 5; g++) {
      const total = [...all.values()].filter((v) => v === g).length;
      const inValidation = [...held.values()].filter((v) => v === g).length;
      assert.ok(Math.abs(inValidation - total * 0.2) <= 0.5, `grade ${g}: ${inValidation} of ${total} patients`);
    }
    assert.ok(Math.abs(validation.length / records.length - 0.2) < 0.01, `${validation.length} images`);
  });

  it('is deterministic for a seed, whatever the input order, and changes with the seed', () => {
    const a = splitByPatient(records, { seed: 3 });
    const shuffled = new Rng(99).shuffle([...records]);
    const b = splitByPatient(shuffled, { seed: 3 });
    const ids = (list: readonly SplittableRecord[]): string[] => list.map((r) => r.image).sort();
    assert.deepEqual(ids(b.validation), ids(a.validation));
    assert.notDeepEqual(ids(splitByPatient(records, { seed: 4 }).validation), ids(a.validation));
  });

  it('honours another fraction and refuses duplicated images', () => {
    const { validation } = splitByPatient(records, { seed: 1, validationFraction: 0.5 });
    assert.ok(Math.abs(validation.length / records.length - 0.5) < 0.02);
    assert.throws(() => splitByPatient([...records, records[5]!], { seed: 1 }), /listed twice/);
  });
});
